<?php

// Histo's PHP client, measured: what record() costs a page (Histo down, and Histo up with a flusher
// sending from the same outbox at the same time), how fast flush() empties an outbox into Histo on
// SQLite and on PostgreSQL beside the same events posted straight with curl in batches of 1,000,
// and how large the outbox grows per million events.
//
// Usage: php clients/php/bench/bench.php HISTO_BINARY [--events N] [--records N] [--postgres URL|--no-postgres]
//   --events N    events per flush measurement (100,000)
//   --records N   record() calls timed one by one, per case (10,000)
//   --postgres    the PostgreSQL server where a schema is made for the run (HISTO_TEST_POSTGRES_URL,
//                 or postgres://postgres@127.0.0.1:5432/test); dropped at the end
// Use a release build for figures worth quoting; the machine's load average is printed with them.

declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require __DIR__ . '/../tests/Support/HistoProcess.php';

use Histo\Client\Client;
use Histo\Client\Event;
use Histo\Client\Tests\Support\HistoProcess;
use Histo\Client\Uuid;

const SECRET = HistoProcess::SECRET;

// The flusher that runs beside record() in the "Histo up" case: flushes until told to stop.
if (($argv[1] ?? '') === '--flush-loop') {
    [, , $url, $company, $outbox, $stop] = $argv;
    $client = new Client(baseUrl: $url, company: $company, secret: SECRET, outbox: $outbox);
    $sent = 0;
    while (!file_exists($stop)) {
        $sent += $client->flush(force: true)->sent;
        usleep(5_000);
    }
    $sent += $client->flush(force: true)->sent;
    echo $sent;
    exit(0);
}

$binary = null;
$options = [];
for ($i = 1; $i < $argc; $i++) {
    $arg = $argv[$i];
    if (in_array($arg, ['--events', '--records', '--postgres'], true) && isset($argv[$i + 1])) {
        $options[substr($arg, 2)] = $argv[++$i];
    } elseif ($arg === '--no-postgres') {
        $options['no-postgres'] = true;
    } elseif ($binary === null && !str_starts_with($arg, '--')) {
        $binary = $arg;
    } else {
        $binary = null;
        break;
    }
}
if ($binary === null || !is_executable($binary)) {
    fwrite(STDERR, "Usage: php bench.php HISTO_BINARY [--events N] [--records N] [--postgres URL|--no-postgres]\n");
    exit(2);
}
putenv('HISTO_BIN=' . realpath($binary));
$events = (int) ($options['events'] ?? 100_000);
$records = (int) ($options['records'] ?? 10_000);
$postgres = isset($options['no-postgres']) ? null
    : ($options['postgres'] ?? (getenv('HISTO_TEST_POSTGRES_URL') ?: 'postgres://postgres@127.0.0.1:5432/test'));

$work = sys_get_temp_dir() . '/histo-php-bench-' . getmypid();
mkdir($work, 0700, true);
$schema = null;
register_shutdown_function(static function () use ($work, &$schema, $postgres): void {
    if ($schema !== null) {
        exec('PGOPTIONS=--client-min-messages=warning psql -q ' . escapeshellarg($postgres) . ' -c ' . escapeshellarg("DROP SCHEMA IF EXISTS $schema CASCADE"));
    }
    exec('rm -rf ' . escapeshellarg($work));
});

/** @return \Generator<Event> */
function events(int $n): \Generator
{
    $sites = ['PARIS', 'LYON', 'NANTES', 'LILLE', 'BORDEAUX'];
    for ($i = 0; $i < $n; $i++) {
        $site = $sites[$i % 5];
        $user = 'U' . ($i % 97);
        yield match ($i % 5) {
            0 => new Event(feature: Event::EMAIL, outcome: Event::SUCCESS, site: $site, userCode: $user),
            1 => new Event(feature: Event::EMAIL, outcome: Event::ERROR, site: $site, userCode: $user,
                cause: Event::CONFIGURATION, code: 'SMTP_AUTH'),
            2 => new Event(feature: Event::VIES, outcome: Event::NO_RESULT, site: $site, userCode: $user),
            3 => new Event(feature: Event::DEA_UPDATE, outcome: Event::SUCCESS, site: $site, userCode: $user,
                detail: ['changed' => Event::CHANGED_AMOUNT]),
            default => new Event(feature: Event::SIRENE, outcome: Event::ERROR, site: $site, userCode: $user,
                cause: Event::REMOTE_API, code: 'HTTP_429'),
        };
    }
}

/** @param list<float> $micros */
function percentiles(array $micros): string
{
    sort($micros);
    $at = static fn (float $p): float => $micros[min(count($micros) - 1, (int) floor($p * count($micros)))];
    return sprintf('median %6.1f µs   p99 %7.1f µs   max %8.1f µs', $at(0.5), $at(0.99), end($micros));
}

/** @return list<float> µs per record() */
function timeRecords(Client $client, int $n): array
{
    $micros = [];
    foreach (events($n) as $event) {
        $start = hrtime(true);
        $client->record($event);
        $micros[] = (hrtime(true) - $start) / 1000;
    }
    return $micros;
}

function company(): string
{
    return 'bench_' . bin2hex(random_bytes(4));
}

function deadUrl(): string
{
    $socket = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($socket, false);
    fclose($socket);
    return 'http://' . $name;
}

function database(string $kind, string $work, ?string $postgres, ?string &$schema): string
{
    if ($kind === 'sqlite') {
        return "$work/histo-" . bin2hex(random_bytes(3)) . '.db';
    }
    $schema = 'php_bench_' . getmypid();
    exec('PGOPTIONS=--client-min-messages=warning psql -q ' . escapeshellarg($postgres) . ' -c ' . escapeshellarg("DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"), $out, $status);
    if ($status !== 0) {
        throw new RuntimeException("cannot make a schema at $postgres");
    }
    return $postgres . (str_contains($postgres, '?') ? '&' : '?') . "sslmode=disable&options=-csearch_path%3D$schema";
}

$load = sys_getloadavg();
printf("Histo PHP client benchmark — %s, PHP %s, load average %.2f %.2f %.2f\n", realpath($binary), PHP_VERSION, ...$load);

// 1. record() while Histo is down.
$down = new Client(baseUrl: deadUrl(), company: company(), secret: SECRET, outbox: "$work/down.sqlite");
$down->flush();    // fails: Histo is down; nothing changes for record()
printf("%-46s %s\n", "record(), Histo down ($records calls):", percentiles(timeRecords($down, $records)));
$fast = new Client(baseUrl: deadUrl(), company: company(), secret: SECRET, outbox: "$work/down-normal.sqlite", durable: false);
printf("%-46s %s\n", 'record(durable: false), Histo down:', percentiles(timeRecords($fast, $records)));

// A page's first event: the outbox opened by a new Client, then one record().
$micros = [];
$url = deadUrl();
foreach (events(min($records, 2000)) as $event) {
    $start = hrtime(true);
    (new Client(baseUrl: $url, company: 'bench', secret: SECRET, outbox: "$work/down.sqlite"))->record($event);
    $micros[] = (hrtime(true) - $start) / 1000;
}
printf("%-46s %s\n", 'new Client + first record(), Histo down:', percentiles($micros));

// 2. record() while Histo is up and a flusher empties the same outbox.
$histo = HistoProcess::start([], database('sqlite', $work, null, $schema), "$work/histo-up.log");
$company = company();
$outbox = "$work/up.sqlite";
$up = new Client(baseUrl: $histo->url, company: $company, secret: SECRET, outbox: $outbox);
$up->record(new Event(feature: 'email', outcome: 'success', site: 'PARIS', userCode: 'U'));
$stop = "$work/stop-flusher";
$flusher = proc_open([PHP_BINARY, __FILE__, '--flush-loop', $histo->url, $company, $outbox, $stop],
    [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', "$work/flusher.err", 'w']], $pipes);
$micros = timeRecords($up, $records);
touch($stop);
$flushed = (int) stream_get_contents($pipes[1]);
proc_close($flusher);
printf("%-46s %s   (%d sent meanwhile)\n", 'record(), Histo up, a flusher sending:', percentiles($micros), $flushed);
$histo->stop();

// 3. flush() into Histo, beside the same events posted straight with curl.
foreach (['sqlite', 'postgres'] as $kind) {
    if ($kind === 'postgres' && $postgres === null) {
        continue;
    }
    $histo = HistoProcess::start([], database($kind, $work, $postgres, $schema), "$work/histo-$kind.log");
    $client = new Client(baseUrl: $histo->url, company: company(), secret: SECRET, outbox: "$work/flush-$kind.sqlite");
    foreach (array_chunk(iterator_to_array(events($events), false), 10_000) as $chunk) {
        $client->recordAll($chunk);
    }
    $start = microtime(true);
    $result = $client->flush();
    $flushSeconds = microtime(true) - $start;
    if ($result->accepted !== $events || $result->pending !== 0) {
        throw new RuntimeException("flush into $kind: $result");
    }

    // The same events with new ids, for another company: JSON made beforehand, one connection.
    $batches = [];
    $batch = [];
    foreach (events($events) as $event) {
        $batch[] = $event->toJson(Uuid::v7());
        if (count($batch) === 1000) {
            $batches[] = '{"events":[' . implode(',', $batch) . ']}';
            $batch = [];
        }
    }
    if ($batch) {
        $batches[] = '{"events":[' . implode(',', $batch) . ']}';
    }
    $token = (new Histo\Client\Tokens(secret: SECRET))->sign(company: company(), userCode: 'ERP', scope: 'events:write', ttl: 3600);
    $curl = curl_init("$histo->url/api/v1/events");
    curl_setopt_array($curl, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['Content-Type: application/json', "Authorization: Bearer $token", 'Expect:']]);
    $start = microtime(true);
    foreach ($batches as $body) {
        curl_setopt($curl, CURLOPT_POSTFIELDS, $body);
        $answer = curl_exec($curl);
        if (curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200) {
            throw new RuntimeException("raw post into $kind: $answer");
        }
    }
    $rawSeconds = microtime(true) - $start;
    printf("flush() into Histo on %-8s %7.0f events/s  (%d events in %.2f s; raw curl batches of 1,000: %7.0f events/s, flush at %.0f%% of it)\n",
        $kind . ':', $events / $flushSeconds, $events, $flushSeconds, $events / $rawSeconds, 100 * $rawSeconds / $flushSeconds);
    $histo->stop();
}

// 4. The outbox's size: 100,000 events recorded, before any flush.
$sizeEvents = 100_000;
$sized = new Client(baseUrl: deadUrl(), company: company(), secret: SECRET, outbox: "$work/size.sqlite");
foreach (array_chunk(iterator_to_array(events($sizeEvents), false), 1000) as $chunk) {
    $sized->recordAll($chunk);
}
$db = new PDO("sqlite:$work/size.sqlite");
$db->query('PRAGMA wal_checkpoint(TRUNCATE)')->fetchAll();
clearstatcache();
$bytes = filesize("$work/size.sqlite") + (is_file("$work/size.sqlite-wal") ? filesize("$work/size.sqlite-wal") : 0);
printf("outbox size: %.1f MB per million events (%d bytes per event, from %s events)\n",
    $bytes / $sizeEvents * 1e6 / 1e6, intdiv($bytes, $sizeEvents), number_format($sizeEvents));
