<?php

declare(strict_types=1);

namespace Histo\Client\Tests\Support;

/** tests/fixtures/fake-histo.php under `php -S` on a free port of 127.0.0.1. */
final class FakeHisto
{
    /** @var resource */
    private $process;
    public readonly string $url;
    private readonly string $state;

    /** @param array<string, mixed> $config status, retry_after, body */
    public function __construct(array $config)
    {
        $this->state = TestCase::scratch() . '/fake-' . bin2hex(random_bytes(4));
        mkdir($this->state);
        $this->answer($config);
        touch("$this->state/hits.log");
        $port = TestCase::freePort();
        $this->process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/../fixtures/fake-histo.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$this->state/server.log", 'a'], 2 => ['file', "$this->state/server.log", 'a']],
            $pipes,
            null,
            ['FAKE_HISTO_STATE' => $this->state] + getenv()
        );
        $deadline = microtime(true) + 10;
        while (($socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 1)) === false) {
            if (microtime(true) > $deadline || !proc_get_status($this->process)['running']) {
                throw new \RuntimeException('php -S did not start: ' . @file_get_contents("$this->state/server.log"));
            }
            usleep(20_000);
        }
        fclose($socket);
        $this->url = "http://127.0.0.1:$port";
    }

    /** @param array<string, mixed> $config */
    public function answer(array $config): void
    {
        file_put_contents("$this->state/config.json", json_encode($config));
    }

    /**
     * The requests received so far.
     *
     * @return list<array{at: float, events: int}>
     */
    public function hits(): array
    {
        $hits = [];
        foreach (file("$this->state/hits.log", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            [$at, $events] = explode(' ', $line);
            $hits[] = ['at' => (float) $at, 'events' => (int) $events];
        }
        return $hits;
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process, 9);
            proc_close($this->process);
        }
    }
}
