<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Event;
use Histo\Client\Tests\Support\TestCase;

/** The client's taxonomy is Histo's: this fails when one of them changes without the other. */
final class TaxonomyTest extends TestCase
{
    public function testEventTaxonomyEqualsGetFeatures(): void
    {
        $histo = $this->startHisto();
        [$status, $features] = self::call('GET', "$histo->url/api/v1/features", $this->readToken());
        self::assertSame(200, $status);
        $served = [];
        foreach ($features as $feature) {
            $served[$feature['code']] = [
                'outcomes' => array_column($feature['outcomes'], 'code'),
                'causes' => array_column($feature['causes'], 'code'),
                'detail' => $feature['detail'] === null
                    ? null
                    : [$feature['detail']['field'] => array_column($feature['detail']['values'], 'code')],
            ];
        }
        self::assertSame(Event::TAXONOMY, $served, 'features, outcomes, causes and details, in Histo\'s order');

        // Every constant of Event names something Histo knows.
        $constants = (new \ReflectionClass(Event::class))->getConstants();
        $codes = array_merge(
            array_keys($served),
            ...array_column($served, 'outcomes'),
            ...array_column($served, 'causes'),
        );
        foreach ($constants as $name => $value) {
            if (is_string($value) && !str_ends_with($name, '_PATTERN') && !str_starts_with($name, 'CHANGED_')) {
                self::assertContains($value, $codes, "Event::$name");
            }
        }
        self::assertSame([Event::CHANGED_CODE, Event::CHANGED_AMOUNT], $served['dea_update']['detail']['changed']);
    }
}
