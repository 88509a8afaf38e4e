<?php

declare(strict_types=1);

namespace Histo\Client\Tests\Support;

use Histo\Client\Client;
use Histo\Client\Event;
use Histo\Client\Tokens;

/**
 * Helpers of the tests: a scratch folder per test, a company of its own per test (every test of a
 * run shares one database: companies keep them apart), events, the outbox, and Histo's API.
 */
abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    private static ?string $scratch = null;
    /** @var list<HistoProcess|FakeHisto> */
    private array $servers = [];
    /** @var list<resource> */
    private array $children = [];
    protected string $company;
    protected string $outbox;

    protected function setUp(): void
    {
        $this->company = 'php_' . bin2hex(random_bytes(5));
        $this->outbox = self::scratch() . '/outbox-' . $this->company . '.sqlite';
    }

    protected function tearDown(): void
    {
        foreach ($this->children as $child) {
            if (is_resource($child)) {
                proc_terminate($child, 9);
                proc_close($child);
            }
        }
        foreach ($this->servers as $server) {
            $server->stop();
        }
        $this->servers = [];
        $this->children = [];
    }

    /** This run's scratch folder, removed at the end. */
    public static function scratch(): string
    {
        if (self::$scratch === null) {
            $dir = sys_get_temp_dir() . '/histo-php-tests-' . getmypid() . '-' . bin2hex(random_bytes(3));
            mkdir($dir, 0700, true);
            register_shutdown_function(static fn () => exec('rm -rf ' . escapeshellarg($dir)));
            self::$scratch = $dir;
        }
        return self::$scratch;
    }

    /** @param array<string, string|null> $env */
    protected function startHisto(array $env = [], ?string $log = null): HistoProcess
    {
        $histo = HistoProcess::start($env, null, $log);
        $this->servers[] = $histo;
        return $histo;
    }

    protected function keep(HistoProcess|FakeHisto $server): void
    {
        $this->servers[] = $server;
    }

    /** A client of this test's company on this test's outbox. */
    protected function client(string $url, array $options = []): Client
    {
        return new Client(...$options + [
            'baseUrl' => $url,
            'company' => $this->company,
            'secret' => HistoProcess::SECRET,
            'outbox' => $this->outbox,
        ]);
    }

    protected function tokens(): Tokens
    {
        return new Tokens(secret: HistoProcess::SECRET);
    }

    /** An address where nothing listens: a port taken from the system, then let go. */
    protected static function deadUrl(): string
    {
        return 'http://127.0.0.1:' . self::freePort();
    }

    public static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new \RuntimeException("no free port: $error");
        }
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /**
     * $n valid events of several features, dated now: all counted in this year's overview.
     *
     * @return \Generator<Event>
     */
    protected static function events(int $n): \Generator
    {
        for ($i = 0; $i < $n; $i++) {
            yield match ($i % 4) {
                0 => new Event(feature: Event::EMAIL, outcome: Event::SUCCESS, site: 'PARIS', userCode: 'JDUPONT'),
                1 => new Event(feature: Event::VIES, outcome: Event::ERROR, site: 'LYON', userCode: 'MMARTIN',
                    cause: Event::INVALID_NUMBER, code: 'VIES_FORMAT'),
                2 => new Event(feature: Event::DEA_UPDATE, outcome: Event::SUCCESS, site: 'LYON', userCode: 'JDUPONT',
                    detail: ['changed' => Event::CHANGED_AMOUNT]),
                default => new Event(feature: Event::SIRENE, outcome: Event::NO_RESULT, site: 'NANTES', userCode: 'LBERNARD'),
            };
        }
    }

    /** A read-only look at the outbox file, as another process would have. */
    protected function outboxDb(): \PDO
    {
        $db = new \PDO('sqlite:' . $this->outbox, null, null, [\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION]);
        $db->exec('PRAGMA busy_timeout = 10000');
        return $db;
    }

    /**
     * A request to Histo's API.
     *
     * @return array{0: int, 1: mixed, 2: array<string, string>} status, decoded JSON body, headers
     */
    protected static function call(string $method, string $url, ?string $token, ?string $json = null): array
    {
        $curl = curl_init($url);
        $headers = [];
        $send = ['Accept: application/json'];
        if ($token !== null) {
            $send[] = "Authorization: Bearer $token";
        }
        if ($json !== null) {
            $send[] = 'Content-Type: application/json';
            curl_setopt($curl, CURLOPT_POSTFIELDS, $json);
        }
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $send,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 30,
            CURLOPT_HEADERFUNCTION => static function ($c, string $line) use (&$headers): int {
                $parts = explode(':', $line, 2);
                if (count($parts) === 2) {
                    $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
                }
                return strlen($line);
            },
        ]);
        $body = curl_exec($curl);
        if ($body === false) {
            throw new \RuntimeException("$method $url: " . curl_error($curl));
        }
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        return [$status, json_decode((string) $body, true), $headers];
    }

    /** A logs:read token of this test's company. */
    protected function readToken(): string
    {
        return $this->tokens()->sign(company: $this->company, userCode: 'TESTS', scope: 'logs:read');
    }

    /**
     * The events Histo counted for this company this year, all features: from the overview, read
     * from the monthly counters.
     */
    protected function storedTotal(string $url): int
    {
        $year = (new \DateTimeImmutable('now', new \DateTimeZone('Europe/Paris')))->format('Y');
        [$status, $overview] = self::call('GET', "$url/api/v1/stats/overview?period=$year", $this->readToken());
        self::assertSame(200, $status, 'GET /api/v1/stats/overview: ' . json_encode($overview));
        return array_sum(array_column($overview['features'], 'total'));
    }

    /** The entries Histo keeps for this company in this year's logs of one feature (all pages). */
    protected function loggedIds(string $url, string $feature): array
    {
        $year = (new \DateTimeImmutable('now', new \DateTimeZone('Europe/Paris')))->format('Y');
        $ids = [];
        $cursor = null;
        do {
            $query = "feature=$feature&period=$year&limit=500" . ($cursor !== null ? '&cursor=' . rawurlencode($cursor) : '');
            [$status, $page] = self::call('GET', "$url/api/v1/logs?$query", $this->readToken());
            self::assertSame(200, $status, 'GET /api/v1/logs: ' . json_encode($page));
            foreach ($page['items'] as $item) {
                $ids[] = $item['id'];
            }
            $cursor = $page['next_cursor'];
        } while ($cursor !== null);
        return $ids;
    }

    /**
     * Starts `php -S` on a free port of the loopback with tests/fixtures/$script as its router.
     *
     * @param array<string, string> $env
     * @return string its address, `http://127.0.0.1:PORT`
     */
    protected function startPhpServer(string $script, array $env): string
    {
        $port = self::freePort();
        $log = self::scratch() . '/php-server-' . $port . '.log';
        $process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/../fixtures/' . $script],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
            $pipes,
            null,
            $env + getenv()
        );
        self::assertIsResource($process);
        $this->children[] = $process;
        $deadline = microtime(true) + 10;
        while (@fsockopen('127.0.0.1', $port) === false) {
            if (microtime(true) > $deadline) {
                self::fail("php -S did not listen on $port: " . @file_get_contents($log));
            }
            usleep(20_000);
        }
        return "http://127.0.0.1:$port";
    }

    /**
     * Starts bin/histo-flush in its own process.
     *
     * @param array<string, string> $env
     * @return array{0: resource, 1: string} the process and the file of its output
     */
    protected function startFlusher(string $url, array $env = [], ?array $args = []): array
    {
        $output = self::scratch() . '/flusher-' . bin2hex(random_bytes(4)) . '.out';
        $vars = $env + getenv() + [
            'HISTO_URL' => $url,
            'HISTO_COMPANY' => $this->company,
            'HISTO_JWT_SECRET' => HistoProcess::SECRET,
        ];
        $process = proc_open(
            // null: without --outbox.
            [PHP_BINARY, __DIR__ . '/../../bin/histo-flush', ...($args === null ? [] : ['--outbox', $this->outbox, ...$args])],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $output, 'w'], 2 => ['file', $output, 'a']],
            $pipes,
            null,
            $vars
        );
        self::assertIsResource($process);
        $this->children[] = $process;
        return [$process, $output];
    }

    /**
     * Waits for a child process and reads what it printed.
     *
     * @param resource $process
     * @return array{0: int, 1: string} its exit status and output
     */
    protected static function finish($process, string $output, float $timeout = 120): array
    {
        $deadline = microtime(true) + $timeout;
        while (($status = proc_get_status($process))['running']) {
            if (microtime(true) > $deadline) {
                proc_terminate($process, 9);
                self::fail("a child process ran for more than $timeout s:\n" . file_get_contents($output));
            }
            usleep(10_000);
        }
        proc_close($process);
        return [$status['exitcode'], (string) file_get_contents($output)];
    }

    /**
     * The counts of a histo-flush line (`sent=… accepted=… …`).
     *
     * @return array<string, int>
     */
    protected static function counts(string $output): array
    {
        self::assertMatchesRegularExpression('/^histo-flush: sent=\d+ /m', $output);
        preg_match_all('/\b(sent|accepted|duplicates|expired|rejected|pending)=(\d+)/', $output, $m, PREG_SET_ORDER);
        $counts = [];
        foreach ($m as [, $name, $value]) {
            $counts[$name] = (int) $value;
        }
        return $counts;
    }
}
