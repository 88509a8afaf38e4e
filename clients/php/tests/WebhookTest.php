<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Event;
use Histo\Client\InvalidWebhook;
use Histo\Client\Webhook;
use Histo\Client\Tests\Support\TestCase;

/**
 * Histo's alert webhooks as the ERP receives them: the real histo fires a rule on the errors the
 * client recorded, and the ERP's endpoint (Webhook::receive under `php -S`) takes the signed alert
 * and refuses a forged one.
 */
final class WebhookTest extends TestCase
{
    public function testAnAlertFromHistoIsTakenAndAForgedOneRefused(): void
    {
        $received = self::scratch() . '/received-' . $this->company . '.jsonl';
        $secrets = self::scratch() . '/secrets-' . $this->company . '.json';
        $erp = $this->startPhpServer('webhook-receiver.php', ['RECEIVED' => $received, 'SECRETS' => $secrets]);
        $histo = $this->startHisto(['HISTO_WEBHOOK_ALLOW' => "$erp/histo/", 'HISTO_PUBLIC_URL' => 'https://histo.example.com']);
        $admin = $this->tokens()->sign(company: $this->company, userCode: 'ADMIN', scope: 'settings:admin');

        [$status, $rule] = self::call('POST', "$histo->url/api/v1/alerts/rules", $admin, json_encode([
            'feature' => 'email', 'site' => 'PARIS', 'webhook_url' => "$erp/histo/smtp",
            'condition' => ['type' => 'errors', 'errors' => 3, 'minutes' => 15],
        ]));
        self::assertSame(201, $status, json_encode($rule));
        file_put_contents($secrets, json_encode(['smtp' => $rule['secret']]));
        [$status, $refused] = self::call('POST', "$histo->url/api/v1/alerts/rules", $admin, json_encode([
            'feature' => 'email', 'webhook_url' => 'http://127.0.0.1:1/internal',
            'condition' => ['type' => 'errors', 'errors' => 1, 'minutes' => 1],
        ]));
        self::assertSame([422, 'webhook_url'], [$status, $refused['details'][0]['field']]);

        $client = $this->client($histo->url);
        for ($i = 0; $i < 3; $i++) {
            $client->record(new Event(feature: Event::EMAIL, outcome: Event::ERROR, site: 'PARIS',
                userCode: 'JDUPONT', cause: Event::CONFIGURATION, code: 'SMTP_AUTH'));
        }
        self::assertSame(3, $client->flush()->accepted);

        $lines = self::waitForLines($received, 1);
        self::assertCount(1, $lines);
        self::assertSame('alert.firing', $lines[0]['event']);
        $alert = $lines[0]['webhook'];
        self::assertSame([$this->company, $rule['id'], ['uses' => 3, 'errors' => 3]],
            [$alert['company'], $alert['rule']['id'], $alert['window']]);
        self::assertSame($lines[0]['delivery'], $alert['id']);
        self::assertStringStartsWith('https://histo.example.com/?feature=email', $alert['link']);

        // Someone else posts to the ERP's endpoint: refused.
        $forged = json_encode(['type' => 'alert.recovered', 'company' => $this->company]);
        $curl = curl_init("$erp/histo/smtp");
        curl_setopt_array($curl, [CURLOPT_POSTFIELDS => $forged, CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => ['X-Histo-Signature: sha256=' . hash_hmac('sha256', $forged, 'a guess')]]);
        curl_exec($curl);
        self::assertSame(403, curl_getinfo($curl, CURLINFO_RESPONSE_CODE));
        $lines = self::waitForLines($received, 2);
        self::assertArrayHasKey('refused', $lines[1]);
    }

    public function testOnlyTheSecretsSignatureOfTheSameBodyIsTaken(): void
    {
        $body = '{"id":"x","type":"digest"}';
        $signature = 'sha256=' . hash_hmac('sha256', $body, 'the secret');
        self::assertSame(['id' => 'x', 'type' => 'digest'], Webhook::receive('the secret', $body, $signature));
        foreach ([['another secret', $body, $signature], ['the secret', $body . ' ', $signature],
                  ['the secret', $body, null], ['the secret', $body, strtoupper($signature)],
                  ['the secret', 'not json', 'sha256=' . hash_hmac('sha256', 'not json', 'the secret')]] as [$secret, $sent, $header]) {
            try {
                Webhook::receive($secret, $sent, $header);
                self::fail("taken: $sent with $header");
            } catch (InvalidWebhook) {
                self::assertFalse(false);
            }
        }
    }

    /** @return list<array<string, mixed>> the lines of $file once there are $count (at most 15 s). */
    private static function waitForLines(string $file, int $count): array
    {
        $deadline = microtime(true) + 15;
        do {
            $lines = array_values(array_filter(explode("\n", (string) @file_get_contents($file))));
            if (count($lines) >= $count) {
                break;
            }
            usleep(100_000);
        } while (microtime(true) < $deadline);
        return array_map(static fn (string $line) => json_decode($line, true), $lines);
    }
}
