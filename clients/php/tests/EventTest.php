<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Event;
use Histo\Client\InvalidEvent;
use Histo\Client\Uuid;
use PHPUnit\Framework\TestCase;

/** An event Histo would refuse is refused when it is built, naming the argument at fault. */
final class EventTest extends TestCase
{
    /** @return iterable<string, array{0: array<string, mixed>, 1: string, 2: string}> */
    public static function refusals(): iterable
    {
        $ok = ['feature' => 'email', 'outcome' => 'success', 'site' => 'PARIS', 'userCode' => 'JDUPONT'];
        yield 'unknown feature' => [['feature' => 'fax'] + $ok, 'feature', "unknown feature 'fax'"];
        yield 'outcome of another feature' => [['outcome' => 'no_result'] + $ok, 'outcome', "'no_result' is not an outcome of 'email'"];
        yield 'dea_update cannot fail' => [['feature' => 'dea_update', 'outcome' => 'error', 'cause' => 'execution'] + $ok, 'outcome', "'error' is not an outcome of 'dea_update'"];
        yield 'php_web_api cannot be stopped' => [['feature' => 'php_web_api', 'outcome' => 'stopped'] + $ok, 'outcome', "'stopped' is not an outcome of 'php_web_api'"];
        yield 'error without a cause' => [['outcome' => 'error'] + $ok, 'cause', "an error of 'email' needs a cause (one of configuration)"];
        yield 'cause of another feature' => [['feature' => 'sirene', 'outcome' => 'error', 'cause' => 'invalid_number'] + $ok, 'cause', "'invalid_number' is not a cause of 'sirene'"];
        yield 'cause of a success' => [['cause' => 'configuration'] + $ok, 'cause', "only an error has a cause, not 'success'"];
        yield 'cause of a stop' => [['outcome' => 'stopped', 'cause' => 'configuration'] + $ok, 'cause', 'only an error has a cause'];
        yield 'site with a space' => [['site' => 'a b'] + $ok, 'site', 'must be 1 to 64'];
        yield 'empty site' => [['site' => ''] + $ok, 'site', 'must be 1 to 64'];
        yield 'site of 65 characters' => [['site' => str_repeat('S', 65)] + $ok, 'site', 'must be 1 to 64'];
        yield 'accented site' => [['site' => 'Évry'] + $ok, 'site', 'must be 1 to 64'];
        yield 'e-mail as user code' => [['userCode' => 'jean@example.fr'] + $ok, 'userCode', 'must be 1 to 64'];
        yield 'user code with a newline' => [['userCode' => "JDUPONT\n"] + $ok, 'userCode', 'must be 1 to 64'];
        yield 'free text as code' => [['code' => 'SMTP auth failed'] + $ok, 'code', 'must be 1 to 64'];
        yield 'code of 65 characters' => [['code' => str_repeat('C', 65)] + $ok, 'code', 'must be 1 to 64'];
        yield 'detail on email' => [['detail' => ['changed' => 'code']] + $ok, 'detail', "'email' takes no detail"];
        yield 'dea_update without detail' => [['feature' => 'dea_update'] + $ok, 'detail', "'dea_update' needs a detail (changed)"];
        yield 'dea_update with an empty detail' => [['feature' => 'dea_update', 'detail' => []] + $ok, 'detail.changed', 'is required'];
        yield 'dea_update changing something else' => [['feature' => 'dea_update', 'detail' => ['changed' => 'rate']] + $ok, 'detail.changed', 'must be one of code, amount'];
        yield 'dea_update with an extra detail' => [['feature' => 'dea_update', 'detail' => ['changed' => 'amount', 'old' => '12']] + $ok, 'detail', "'old' is not a detail of 'dea_update'"];
        yield 'date in words' => [['occurredAt' => 'yesterday'] + $ok, 'occurredAt', 'must be an RFC 3339 date and time with an offset'];
        yield 'date without offset' => [['occurredAt' => '2026-03-31T23:30:00'] + $ok, 'occurredAt', 'with an offset'];
        yield 'impossible date' => [['occurredAt' => '2026-02-30T10:00:00+01:00'] + $ok, 'occurredAt', 'is not a valid date and time'];
        yield 'date before 2000' => [['occurredAt' => '1999-12-31T12:00:00Z'] + $ok, 'occurredAt', 'must not be before 2000'];
        yield 'date two days ahead' => [['occurredAt' => new \DateTimeImmutable('+2 days')] + $ok, 'occurredAt', 'must not be more than a day in the future'];
    }

    /**
     * @dataProvider refusals
     * @param array<string, mixed> $arguments
     */
    public function testRefusesWhatHistoWouldRefuse(array $arguments, string $field, string $message): void
    {
        try {
            new Event(...$arguments);
            self::fail('the event was built');
        } catch (InvalidEvent $e) {
            self::assertSame($field, $e->field);
            self::assertStringContainsString($message, $e->getMessage());
            self::assertInstanceOf(\InvalidArgumentException::class, $e);
        }
    }

    public function testEveryOutcomeAndCauseOfTheTaxonomyIsAccepted(): void
    {
        $built = 0;
        foreach (Event::TAXONOMY as $feature => $kind) {
            foreach ($kind['outcomes'] as $outcome) {
                $causes = $outcome === Event::ERROR ? $kind['causes'] : [null];
                foreach ($causes as $cause) {
                    $detail = $kind['detail'] === null ? null : ['changed' => $kind['detail']['changed'][$built % 2]];
                    $event = new Event(feature: $feature, outcome: $outcome, site: 'S-1.a_b', userCode: 'U', cause: $cause, detail: $detail);
                    self::assertSame($cause, $event->cause);
                    $built++;
                }
            }
        }
        self::assertSame(28, $built);
    }

    public function testTheJsonIsWhatHistoTakes(): void
    {
        $event = new Event(feature: Event::VIES, outcome: Event::ERROR, site: 'LYON', userCode: 'JDUPONT',
            cause: Event::INVALID_NUMBER, code: 'VIES:FORMAT', occurredAt: '2026-03-31T23:30:00+02:00');
        self::assertSame(
            '{"id":"0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01","feature":"vies","outcome":"error","cause":"invalid_number",'
            . '"site":"LYON","user_code":"JDUPONT","occurred_at":"2026-03-31T23:30:00.000+02:00","code":"VIES:FORMAT"}',
            $event->toJson('0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01')
        );
        $dea = new Event(feature: Event::DEA_UPDATE, outcome: Event::SUCCESS, site: 'LYON', userCode: 'MMARTIN',
            detail: ['changed' => Event::CHANGED_CODE], occurredAt: new \DateTimeImmutable('2026-01-05 08:00:00.123456', new \DateTimeZone('Europe/Paris')));
        self::assertSame(
            ['id' => 'x', 'feature' => 'dea_update', 'outcome' => 'success', 'site' => 'LYON', 'user_code' => 'MMARTIN',
             'occurred_at' => '2026-01-05T08:00:00.123+01:00', 'detail' => ['changed' => 'code']],
            $dea->toArray('x')
        );
        self::assertSame('2026-03-31T21:30:00.500+00:00', (new Event(feature: 'sms', outcome: 'stopped', site: 'A', userCode: 'B',
            occurredAt: '2026-03-31T21:30:00.5Z'))->occurredAt);
    }

    public function testTheTimeIsNowWithAnOffsetByDefault(): void
    {
        $before = microtime(true);
        $event = new Event(feature: 'email', outcome: 'success', site: 'PARIS', userCode: 'JDUPONT');
        self::assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/', $event->occurredAt);
        $at = (float) (new \DateTimeImmutable($event->occurredAt))->format('U.u');
        self::assertEqualsWithDelta($before, $at, 1.0);
    }

    public function testIdsAreTimeOrderedUuidV7(): void
    {
        $ids = [];
        for ($i = 0; $i < 5000; $i++) {
            $ids[] = Uuid::v7();
        }
        foreach ($ids as $id) {
            self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id);
        }
        $sorted = $ids;
        sort($sorted, SORT_STRING);
        self::assertSame($ids, $sorted, 'ids made in a row sort in that order');
        self::assertCount(5000, array_unique($ids));
        self::assertEqualsWithDelta(microtime(true) * 1000, Uuid::milliseconds(end($ids)), 1000);
    }
}
