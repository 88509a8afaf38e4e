<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Tests\Support\FakeHisto;
use Histo\Client\Tests\Support\TestCase;

/**
 * Answers that the real Histo gives only under strain (503, 429, 500, 413), from a stand-in under
 * `php -S`: the batch stays, and nobody sends before the wait has passed.
 */
final class RetryTest extends TestCase
{
    /** @return iterable<string, array{0: int}> */
    public static function busy(): iterable
    {
        yield '503 Service Unavailable' => [503];
        yield '429 Too Many Requests' => [429];
    }

    /** @dataProvider busy */
    public function testRetryAfterIsHonouredByEveryFlusher(int $status): void
    {
        $fake = new FakeHisto(['status' => $status, 'retry_after' => '2', 'body' => ['error' => 'busy', 'details' => []]]);
        $this->keep($fake);
        $client = $this->client($fake->url);
        $client->recordAll(self::events(5));

        $result = $client->flush();
        self::assertSame(0, $result->sent);
        self::assertSame(5, $result->pending);
        self::assertSame("Histo answered $status: busy", $result->error);
        $hits = $fake->hits();
        self::assertCount(1, $hits);
        self::assertSame(5, $hits[0]['events']);
        // The fake notes the time as the request arrives, the client takes it once the answer is in.
        self::assertGreaterThanOrEqual($hits[0]['at'] + 2.0, $result->retryAt, 'not before Retry-After');
        self::assertLessThan($hits[0]['at'] + 3.0, $result->retryAt);

        // Right away, and just before the time, whether from this client or a new one (cron): nothing sent.
        self::assertSame(0, $client->flush()->requests);
        time_sleep_until($result->retryAt - 0.4);
        $early = $this->client($fake->url)->flush();
        self::assertSame(0, $early->requests);
        self::assertSame(5, $early->pending);
        self::assertCount(1, $fake->hits());

        // Once it has passed, the next flush sends, and Histo is back.
        $fake->answer(['status' => 200]);
        time_sleep_until($result->retryAt + 0.05);
        $later = $this->client($fake->url)->flush();
        self::assertSame(1, $later->requests);
        self::assertSame(5, $later->sent);
        self::assertSame(5, $later->accepted);
        self::assertSame(0, $later->expired, 'an answer without `expired` (an older Histo) counts none');
        self::assertSame(0, $later->pending);
        self::assertNull($later->error);
        self::assertNull($later->retryAt);
        $hits = $fake->hits();
        self::assertCount(2, $hits);
        self::assertGreaterThanOrEqual($result->retryAt, $hits[1]['at']);
        self::assertNull($client->nextAttemptAt(), 'a success clears the wait');
    }

    public function testA500WithoutRetryAfterBacksOffWithJitter(): void
    {
        $fake = new FakeHisto(['status' => 500, 'body' => ['error' => 'internal error']]);
        $this->keep($fake);
        $client = $this->client($fake->url);
        $client->recordAll(self::events(3));
        $first = $client->flush();
        $at = $fake->hits()[0]['at'];
        self::assertSame('Histo answered 500: internal error', $first->error);
        self::assertGreaterThanOrEqual($at + 0.5, $first->retryAt, 'at least half the first second');
        self::assertLessThanOrEqual($at + 1.1, $first->retryAt);
        time_sleep_until($first->retryAt + 0.01);
        $second = $client->flush();
        self::assertSame(1, $second->requests);
        self::assertGreaterThanOrEqual(microtime(true) + 0.9, $second->retryAt, 'doubled');
        self::assertSame(3, $second->pending);
    }

    public function testLeasesOfOtherFlushersAreLeftAloneUntilTheyRunOut(): void
    {
        $fake = new FakeHisto(['status' => 200]);
        $this->keep($fake);
        $client = $this->client($fake->url, ['batchSize' => 4]);
        $client->recordAll(self::events(10));
        $db = $this->outboxDb();
        // Rows 1–3 are being sent by a live flusher; rows 4–5 by one that died a while ago.
        $db->exec("UPDATE outbox SET lease = 'alive', lease_until = " . (time() + 600) . ' WHERE seq <= 3');
        $db->exec("UPDATE outbox SET lease = 'dead', lease_until = " . (time() - 1) . ' WHERE seq IN (4, 5)');
        $result = $client->flush();
        self::assertSame(7, $result->sent);
        self::assertSame(3, $result->pending);
        self::assertSame([4, 3], array_column($fake->hits(), 'events'));
        self::assertSame(['1', '2', '3'], array_map('strval', $db->query('SELECT seq FROM outbox ORDER BY seq')->fetchAll(\PDO::FETCH_COLUMN)));
    }

    public function testABatchTooLargeForHistoIsSplit(): void
    {
        $fake = new FakeHisto(['status' => 200, 'max_events' => 300]);
        $this->keep($fake);
        $client = $this->client($fake->url);
        $client->recordAll(self::events(1000));
        $result = $client->flush();
        self::assertSame(1000, $result->sent);
        self::assertSame(0, $result->pending);
        self::assertSame([1000, 500, 250, 250, 250, 250], array_column($fake->hits(), 'events'));
    }
}
