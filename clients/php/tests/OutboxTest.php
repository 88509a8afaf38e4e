<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Client;
use Histo\Client\Event;
use Histo\Client\OutboxError;
use Histo\Client\Tests\Support\TestCase;

/** record() and a flush while Histo is away: local work only, nothing lost, the next try delayed. */
final class OutboxTest extends TestCase
{
    public function testRecordAppendsToAWalOutboxAndReturnsTheUuidV7(): void
    {
        $client = $this->client(self::deadUrl());
        $id = $client->record(new Event(feature: 'email', outcome: 'error', site: 'PARIS', userCode: 'JDUPONT',
            cause: 'configuration', code: 'SMTP_AUTH', occurredAt: '2026-03-31T23:30:00+02:00'));
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id);
        $db = $this->outboxDb();
        self::assertSame('wal', $db->query('PRAGMA journal_mode')->fetchColumn());
        $rows = $db->query('SELECT body, lease FROM outbox')->fetchAll(\PDO::FETCH_ASSOC);
        self::assertSame([[
            'body' => '{"id":"' . $id . '","feature":"email","outcome":"error","cause":"configuration","site":"PARIS",'
                . '"user_code":"JDUPONT","occurred_at":"2026-03-31T23:30:00.000+02:00","code":"SMTP_AUTH"}',
            'lease' => null,
        ]], $rows);
        $ids = $client->recordAll(self::events(3));
        self::assertCount(3, $ids);
        self::assertSame(4, $client->pending());
        self::assertSame([$id, ...$ids], array_map(
            fn (string $body) => json_decode($body, true)['id'],
            $db->query('SELECT body FROM outbox ORDER BY seq')->fetchAll(\PDO::FETCH_COLUMN)
        ));
    }

    public function testAFlushWhileHistoIsAwayKeepsEverythingAndWaitsBeforeTheNextTry(): void
    {
        $client = $this->client(self::deadUrl(), ['timeout' => 5.0]);
        $client->recordAll(self::events(2500));
        $before = microtime(true);
        $result = $client->flush();
        self::assertSame(0, $result->sent);
        self::assertSame(2500, $result->pending);
        self::assertSame(1, $result->requests, 'it stops at the first failure');
        self::assertStringContainsString('Histo is unreachable', (string) $result->error);
        self::assertFalse($result->misconfigured);
        // First failure: 0.5 to 1 second.
        self::assertGreaterThanOrEqual($before + 0.5, $result->retryAt);
        self::assertLessThanOrEqual(microtime(true) + 1.0, $result->retryAt);
        self::assertSame('0', (string) $this->outboxDb()->query('SELECT count(*) FROM outbox WHERE lease IS NOT NULL')->fetchColumn(),
            'the batch is given back');

        // Another flush (this process or another) does not try before then.
        $again = $this->client(self::deadUrl())->flush();
        self::assertSame(0, $again->requests);
        self::assertSame(2500, $again->pending);
        self::assertSame($result->retryAt, $again->retryAt);
        self::assertStringStartsWith('waiting after a failure: Histo is unreachable', (string) $again->error);
        self::assertEqualsWithDelta($result->retryAt, $client->nextAttemptAt(), 0.001);

        // A second failure in a row waits 1 to 2 seconds.
        $forced = $client->flush(force: true);
        self::assertSame(1, $forced->requests);
        self::assertGreaterThanOrEqual(microtime(true) + 0.9, $forced->retryAt);
        self::assertLessThanOrEqual(microtime(true) + 2.0, $forced->retryAt);
        self::assertSame(2500, $client->pending());
    }

    public function testBackoffDoublesUpToFiveMinutesWithJitterAndNeverUndercutsRetryAfter(): void
    {
        foreach ([1 => 1.0, 2 => 2.0, 3 => 4.0, 6 => 32.0, 9 => 256.0, 10 => 300.0, 50 => 300.0] as $failures => $ceiling) {
            $waits = array_map(fn () => Client::backoff($failures), range(1, 200));
            self::assertGreaterThanOrEqual($ceiling / 2, min($waits));
            self::assertLessThanOrEqual($ceiling, max($waits));
            self::assertGreaterThan(1, count(array_unique($waits)), 'jittered');
        }
        self::assertSame(30.0, Client::backoff(1, 30.0));
        self::assertSame(2.0, Client::retryAfter('2'));
        self::assertSame(3600.0, Client::retryAfter('86400'), 'capped at an hour');
        self::assertNull(Client::retryAfter(null));
        self::assertNull(Client::retryAfter('soon'));
        $date = gmdate('D, d M Y H:i:s \G\M\T', time() + 120);
        self::assertEqualsWithDelta(120.0, Client::retryAfter($date), 2.0);
    }

    public function testAnOutboxThatCannotBeWrittenIsTheHostsErrorNotTheNetworks(): void
    {
        $client = new Client(baseUrl: 'http://127.0.0.1:9', company: 'acme', secret: str_repeat('s', 32),
            outbox: self::scratch() . '/no/such/folder/outbox.sqlite');
        $this->expectException(OutboxError::class);
        $this->expectExceptionMessage('cannot open the outbox');
        $client->record(new Event(feature: 'sms', outcome: 'success', site: 'PARIS', userCode: 'JDUPONT'));
    }

    /** @return iterable<string, array{0: array<string, mixed>, 1: string}> */
    public static function badClients(): iterable
    {
        $ok = ['baseUrl' => 'https://histo.example.com', 'company' => 'acme', 'secret' => str_repeat('s', 32), 'outbox' => '/tmp/x.sqlite'];
        yield 'not a URL' => [['baseUrl' => 'histo.example.com'] + $ok, 'baseUrl must be an http(s) address'];
        yield 'bad company' => [['company' => 'ac me'] + $ok, 'company must be'];
        yield 'no outbox' => [['outbox' => ''] + $ok, 'outbox must name'];
        yield 'short secret' => [['secret' => 'short'] + $ok, 'at least 32 bytes'];
        yield 'huge batches' => [['batchSize' => 10001] + $ok, 'batchSize must be 1 to 10,000'];
    }

    /**
     * @dataProvider badClients
     * @param array<string, mixed> $arguments
     */
    public function testClientMisconfigurationIsRefusedAtOnce(array $arguments, string $message): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        new Client(...$arguments);
    }

    public function testSignInUrlCarriesAFreshTokenInTheFragment(): void
    {
        $client = $this->client('https://histo.example.com/', ['issuer' => 'erp', 'audience' => 'histo']);
        $url = $client->signInUrl(userCode: 'JDUPONT', rights: [2], ttl: 600);
        self::assertMatchesRegularExpression('~^https://histo\.example\.com/#access_token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$~', $url);
        $claims = json_decode(base64_decode(strtr(explode('.', substr($url, strpos($url, '=') + 1))[1], '-_', '+/')), true);
        self::assertSame('JDUPONT', $claims['sub']);
        self::assertSame($this->company, $claims['company']);
        self::assertSame([2], $claims['rights']);
        self::assertSame('erp', $claims['iss']);
        self::assertSame('histo', $claims['aud']);
        self::assertSame(600, $claims['exp'] - $claims['iat']);
    }
}
