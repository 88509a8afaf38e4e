<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Event;
use Histo\Client\Tests\Support\HistoProcess;
use Histo\Client\Tests\Support\TestCase;

/**
 * Against the real histo: every recorded event reaches Histo exactly once, whatever happens to Histo
 * or to the flushers on the way. Counts are read back from Histo's statistics.
 */
final class DeliveryTest extends TestCase
{
    public function testTenThousandEventsRecordedWhileHistoIsDownAreStoredOnceWhenItComesBack(): void
    {
        $down = $this->client(self::deadUrl());
        $ids = [];
        foreach (self::events(10_000) as $event) {
            $ids[] = $down->record($event);
        }
        self::assertCount(10_000, array_unique($ids));

        $failed = $down->flush();
        self::assertSame(0, $failed->sent);
        self::assertSame(10_000, $failed->pending);
        self::assertStringContainsString('Histo is unreachable', (string) $failed->error);
        self::assertNotNull($failed->retryAt);

        $histo = $this->startHisto();
        $client = $this->client($histo->url);
        time_sleep_until($failed->retryAt + 0.01);
        $result = $client->flush();
        self::assertNull($result->error);
        self::assertSame(10, $result->requests, 'batches of 1,000');
        self::assertSame(10_000, $result->sent);
        self::assertSame(10_000, $result->accepted);
        self::assertSame(0, $result->duplicates);
        self::assertSame(0, $result->expired);
        self::assertSame(0, $result->rejected);
        self::assertSame(0, $result->pending);
        self::assertSame(10_000, $this->storedTotal($histo->url));

        $again = $client->flush();
        self::assertSame(0, $again->requests, 'nothing left to send');
        self::assertSame(0, $again->sent);
        self::assertSame(10_000, $this->storedTotal($histo->url));
        // The ids are the client's: every one stored, once.
        $stored = $this->loggedIds($histo->url, Event::EMAIL);
        self::assertCount(2500, $stored);
        self::assertSame([], array_diff($stored, $ids));
    }

    public function testHistoKilledInTheMiddleOfAFlushLosesNothingAndCountsNothingTwice(): void
    {
        $total = 40_000;
        $this->client(self::deadUrl())->recordAll(self::events($total));
        $log = self::scratch() . "/histo-{$this->company}.log";
        $histo = $this->startHisto(log: $log);
        [$flusher, $output] = $this->startFlusher($histo->url);

        // Kill Histo once a few batches are acknowledged and while the flusher is still sending.
        $db = $this->outboxDb();
        $deadline = microtime(true) + 120;
        do {
            usleep(2_000);
            $pending = (int) $db->query('SELECT count(*) FROM outbox')->fetchColumn();
            self::assertTrue(proc_get_status($flusher)['running'], "the flush ended before Histo was killed:\n" . file_get_contents($output));
            self::assertLessThan($deadline, microtime(true), 'the flush did not start');
        } while ($pending > $total - 3000);
        $histo->kill();
        self::assertFalse($histo->running());

        [$exit, $printed] = self::finish($flusher, $output);
        self::assertSame(0, $exit, $printed);
        self::assertStringContainsString('Histo is unreachable', $printed);
        $first = self::counts($printed);
        self::assertGreaterThanOrEqual(3000, $first['sent']);
        self::assertGreaterThan(0, $first['pending'], 'killed in the middle');
        self::assertSame($total, $first['sent'] + $first['pending']);

        // Restarted on the same database: the rest goes, the batch in flight at the kill included.
        $restarted = $this->startHisto(log: $log);
        $client = $this->client($restarted->url);
        $second = $client->flush(force: true);
        self::assertNull($second->error);
        self::assertSame(0, $second->pending);
        self::assertSame($total, $first['sent'] + $second->sent - $second->duplicates,
            'resent events already stored are reported as duplicates');
        self::assertLessThanOrEqual(1000, $second->duplicates, 'at most the batch in flight');
        self::assertSame($total, $first['accepted'] + $second->accepted);
        self::assertSame($total, $this->storedTotal($restarted->url), 'every event counted once');
        self::assertCount($total / 4, $this->loggedIds($restarted->url, Event::SIRENE), 'and stored once');
    }

    public function testTwoFlushersAtOnceNeverSendTheSameEvents(): void
    {
        $total = 30_000;
        $this->client(self::deadUrl())->recordAll(self::events($total));
        $histo = $this->startHisto();
        [$a, $outputA] = $this->startFlusher($histo->url);
        [$b, $outputB] = $this->startFlusher($histo->url);
        [$exitA, $printedA] = self::finish($a, $outputA);
        [$exitB, $printedB] = self::finish($b, $outputB);
        self::assertSame([0, 0], [$exitA, $exitB], $printedA . $printedB);
        $countsA = self::counts($printedA);
        $countsB = self::counts($printedB);
        self::assertGreaterThan(0, $countsA['sent'], "both flushers sent:\n$printedA$printedB");
        self::assertGreaterThan(0, $countsB['sent'], "both flushers sent:\n$printedA$printedB");
        self::assertSame($total, $countsA['sent'] + $countsB['sent']);
        self::assertSame($total, $countsA['accepted'] + $countsB['accepted']);
        self::assertSame(0, $countsA['duplicates'] + $countsB['duplicates'], 'no event was sent twice');
        self::assertSame(0, $this->client($histo->url)->pending());
        self::assertSame($total, $this->storedTotal($histo->url));
    }

    public function testAnEventRefusedByHistoIsSetAsideWithItsMessageAndTheRestIsStored(): void
    {
        $histo = $this->startHisto();
        $client = $this->client($histo->url);
        $ids = $client->recordAll(self::events(10));
        // Spoilt in the outbox after record() checked it: Histo refuses it.
        $db = $this->outboxDb();
        $db->exec("UPDATE outbox SET body = json_set(body, '$.site', 'a b') WHERE seq = (SELECT seq FROM outbox ORDER BY seq LIMIT 1 OFFSET 3)");

        $result = $client->flush();
        self::assertNull($result->error);
        self::assertSame(2, $result->requests, 'refused, then the nine others again');
        self::assertSame(1, $result->rejected);
        self::assertSame(9, $result->sent);
        self::assertSame(9, $result->accepted);
        self::assertSame(0, $result->pending);
        self::assertSame(9, $this->storedTotal($histo->url));

        $rejected = $client->rejected();
        self::assertCount(1, $rejected);
        self::assertSame($ids[3], $rejected[0]['event']['id']);
        self::assertSame('a b', $rejected[0]['event']['site']);
        self::assertSame('site', $rejected[0]['field']);
        self::assertSame(422, $rejected[0]['status']);
        self::assertMatchesRegularExpression("/^site: may only contain letters, digits, '_', '\\.' and '-'$/", $rejected[0]['message']);
        self::assertSame(1, $client->rejectedCount());
        self::assertSame(0, $client->flush()->requests, 'a refused event is not sent again');
    }

    public function testAnEventOlderThanTheRetentionIsAcknowledgedAsExpired(): void
    {
        $histo = $this->startHisto();
        $client = $this->client($histo->url);
        // 24 months by default: three years ago lies past it.
        $old = (new \DateTimeImmutable('first day of this month 12:00'))->modify('-36 months');
        $client->record(new Event(feature: 'email', outcome: 'success', site: 'PARIS', userCode: 'JDUPONT', occurredAt: $old));
        $client->record(new Event(feature: 'email', outcome: 'success', site: 'PARIS', userCode: 'JDUPONT'));
        $result = $client->flush();
        self::assertNull($result->error);
        self::assertSame(2, $result->sent);
        self::assertSame(1, $result->expired);
        self::assertSame(1, $result->accepted);
        self::assertSame(0, $result->pending);
        [$status, $stats] = self::call('GET', "$histo->url/api/v1/stats?feature=email&granularity=year&from={$old->format('Y')}&to={$old->format('Y')}", $this->readToken());
        self::assertSame(200, $status);
        self::assertSame(0, $stats['buckets'][0]['counts']['success'], 'neither stored nor counted');
    }
}
