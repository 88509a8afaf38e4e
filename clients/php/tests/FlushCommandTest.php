<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Tests\Support\HistoProcess;
use Histo\Client\Tests\Support\TestCase;

/** bin/histo-flush, as cron or a systemd timer runs it. */
final class FlushCommandTest extends TestCase
{
    /** @return array{0: int, 1: string} */
    private function flushCommand(string $url, array $env = [], ?array $args = []): array
    {
        [$process, $output] = $this->startFlusher($url, $env, $args);
        return self::finish($process, $output);
    }

    public function testItSendsAndPrintsWhatItDid(): void
    {
        $histo = $this->startHisto();
        $this->client($histo->url)->recordAll(self::events(2500));
        [$exit, $printed] = $this->flushCommand($histo->url);
        self::assertSame(0, $exit, $printed);
        self::assertSame("histo-flush: sent=2500 accepted=2500 duplicates=0 expired=0 rejected=0 pending=0\n", $printed);
        [$exit, $printed] = $this->flushCommand($histo->url, [], ['--max-batches', '1']);
        self::assertSame([0, "histo-flush: sent=0 accepted=0 duplicates=0 expired=0 rejected=0 pending=0\n"], [$exit, $printed]);
        self::assertSame(2500, $this->storedTotal($histo->url));
    }

    public function testMaxBatchesAndHistoAway(): void
    {
        $histo = $this->startHisto();
        $this->client($histo->url)->recordAll(self::events(2500));
        [$exit, $printed] = $this->flushCommand($histo->url, [], ['--max-batches', '2']);
        self::assertSame(0, $exit);
        self::assertSame(['sent' => 2000, 'accepted' => 2000, 'duplicates' => 0, 'expired' => 0, 'rejected' => 0, 'pending' => 500], self::counts($printed));

        [$exit, $printed] = $this->flushCommand(self::deadUrl());
        self::assertSame(0, $exit, 'Histo away: the events wait, nothing is wrong here');
        self::assertMatchesRegularExpression('/^histo-flush: sent=0 accepted=0 duplicates=0 expired=0 rejected=0 pending=500 retry_at=\S+Z error="Histo is unreachable: .+"$/m', $printed);
        [$exit, $printed] = $this->flushCommand($histo->url);
        self::assertSame(0, $exit);
        self::assertStringContainsString('pending=500 retry_at=', $printed, 'it waits after a failure');
        self::assertStringContainsString('error="waiting after a failure: Histo is unreachable', $printed);
        [$exit, $printed] = $this->flushCommand($histo->url, [], ['--force']);
        self::assertSame(['sent' => 500, 'accepted' => 500, 'duplicates' => 0, 'expired' => 0, 'rejected' => 0, 'pending' => 0], self::counts($printed));
    }

    public function testATokenHistoRefusesExitsOne(): void
    {
        $histo = $this->startHisto();
        $this->client($histo->url)->recordAll(self::events(3));
        [$exit, $printed] = $this->flushCommand($histo->url, ['HISTO_JWT_SECRET' => str_repeat('w', 40)]);
        self::assertSame(1, $exit, $printed);
        self::assertStringContainsString('pending=3', $printed);
        self::assertStringContainsString('error="Histo answered 401: invalid token: bad signature"', $printed);
        [$exit, $printed] = $this->flushCommand($histo->url, ['HISTO_JWT_SECRET' => str_repeat('w', 40)]);
        self::assertSame(1, $exit, 'still refused while waiting: ' . $printed);
        self::assertStringContainsString('error="waiting after a failure: Histo answered 401', $printed);
    }

    public function testRejectedEventsAreListed(): void
    {
        $histo = $this->startHisto();
        $client = $this->client($histo->url);
        $ids = $client->recordAll(self::events(2));
        $this->outboxDb()->exec("UPDATE outbox SET body = json_set(body, '$.user_code', 'jean@example.fr') WHERE seq = (SELECT max(seq) FROM outbox)");
        self::assertSame(['sent' => 1, 'accepted' => 1, 'duplicates' => 0, 'expired' => 0, 'rejected' => 1, 'pending' => 0], self::counts($this->flushCommand($histo->url)[1]));
        [$exit, $printed] = $this->flushCommand($histo->url, [], ['--rejected']);
        self::assertSame(0, $exit);
        $lines = explode("\n", trim($printed));
        self::assertCount(1, $lines);
        $refused = json_decode($lines[0], true);
        self::assertSame($ids[1], $refused['event']['id']);
        self::assertSame('user_code', $refused['field']);
        self::assertSame(422, $refused['status']);
    }

    /** @return iterable<string, array{0: array<string, string>, 1: list<string>|null, 2: string}> */
    public static function misuse(): iterable
    {
        yield 'no --outbox' => [[], null, '--outbox PATH is required'];
        yield 'no URL' => [['HISTO_URL' => ''], [], 'HISTO_URL and HISTO_COMPANY must be set'];
        yield 'no company' => [['HISTO_COMPANY' => ''], [], 'HISTO_URL and HISTO_COMPANY must be set'];
        yield 'no secret' => [['HISTO_JWT_SECRET' => ''], [], 'set HISTO_JWT_SECRET or HISTO_JWT_PRIVATE_KEY'];
        yield 'short secret' => [['HISTO_JWT_SECRET' => 'short'], [], 'the secret must be at least 32 bytes'];
        yield 'bad URL' => [['HISTO_URL' => 'histo.example.com'], [], 'baseUrl must be an http(s) address'];
        yield 'bad --max-batches' => [[], ['--max-batches', 'many'], '--max-batches takes a positive number'];
        yield 'stray argument' => [[], ['now'], 'unexpected argument now'];
    }

    /**
     * @dataProvider misuse
     * @param array<string, string> $env
     * @param list<string>|null $args
     */
    public function testMisuseExitsTwo(array $env, ?array $args, string $message): void
    {
        $this->client('http://127.0.0.1:9')->recordAll(self::events(1));
        [$exit, $printed] = $this->flushCommand('http://127.0.0.1:9', $env, $args);
        self::assertSame(2, $exit, $printed);
        self::assertStringContainsString("histo-flush: $message", $printed);
        self::assertStringContainsString('Usage: histo-flush --outbox PATH', $printed);
    }

    public function testNoOutboxYetIsNothingToSend(): void
    {
        [$exit, $printed] = $this->flushCommand('http://127.0.0.1:9');
        self::assertSame(0, $exit);
        self::assertSame("histo-flush: no outbox at {$this->outbox} yet: nothing to send\n", $printed);
        self::assertFileDoesNotExist($this->outbox);
    }
}
