<?php

declare(strict_types=1);

namespace Histo\Client\Tests\Support;

/**
 * A real `histo serve` on 127.0.0.1, port 0, on the database that scripts/test-php.sh gave
 * (HISTO_TEST_DATABASE_URL); its address is read from its log.
 */
final class HistoProcess
{
    /** The secret of the tests' HS256 tokens. */
    public const SECRET = 'php-client-tests-secret-0123456789abcdef';

    /** @var resource */
    private $process;
    public readonly string $url;
    public readonly int $pid;

    /** @param array<string, string|null> $env variables to set (null: to remove) */
    private function __construct(public readonly string $log, array $env, string $databaseUrl)
    {
        $vars = getenv();
        $vars['HISTO_JWT_SECRET'] = self::SECRET;
        $vars['HISTO_LOG'] = 'warn,histo=info';
        unset($vars['HISTO_BIND'], $vars['HISTO_DATABASE_URL'], $vars['HISTO_JWT_ISSUER'], $vars['HISTO_JWT_AUDIENCE']);
        foreach ($env as $name => $value) {
            if ($value === null) {
                unset($vars[$name]);
            } else {
                $vars[$name] = $value;
            }
        }
        clearstatcache();
        $offset = is_file($log) ? filesize($log) : 0;
        $this->process = proc_open(
            [self::binary(), 'serve', '--bind', '127.0.0.1:0', '--database-url', $databaseUrl],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes,
            null,
            $vars
        );
        if (!is_resource($this->process)) {
            throw new \RuntimeException('cannot start ' . self::binary());
        }
        $this->pid = proc_get_status($this->process)['pid'];
        $deadline = microtime(true) + 60;
        while (true) {
            // Only what this start wrote (a restart appends to the same log).
            $text = (string) @file_get_contents($log, false, null, $offset);
            if (preg_match('#listens on (http://[0-9.:]+)#', $text, $m)) {
                $this->url = $m[1];
                break;
            }
            if (!proc_get_status($this->process)['running']) {
                throw new \RuntimeException("histo stopped while starting:\n$text");
            }
            if (microtime(true) > $deadline) {
                $this->kill();
                throw new \RuntimeException("histo did not say where it listens within 60 s:\n$text");
            }
            usleep(20_000);
        }
    }

    /**
     * @param array<string, string|null> $env
     */
    public static function start(array $env = [], ?string $databaseUrl = null, ?string $log = null): self
    {
        $log ??= TestCase::scratch() . '/histo-' . bin2hex(random_bytes(3)) . '.log';
        return new self($log, $env, $databaseUrl ?? self::databaseUrl());
    }

    /** The histo binary (HISTO_BIN); fails the test when it is missing. */
    public static function binary(): string
    {
        $bin = getenv('HISTO_BIN');
        if ($bin === false || $bin === '') {
            throw new \RuntimeException('HISTO_BIN must name the histo binary (scripts/test-php.sh sets it)');
        }
        if (!is_file($bin) || !is_executable($bin)) {
            throw new \RuntimeException("HISTO_BIN=$bin is not an executable file: build histo first");
        }
        return $bin;
    }

    /** The database of this run (HISTO_TEST_DATABASE_URL): a SQLite path or a postgres:// URL. */
    public static function databaseUrl(): string
    {
        $url = getenv('HISTO_TEST_DATABASE_URL');
        if ($url === false || $url === '') {
            throw new \RuntimeException('HISTO_TEST_DATABASE_URL must name the test database (scripts/test-php.sh sets it)');
        }
        return $url;
    }

    public function running(): bool
    {
        return is_resource($this->process) && proc_get_status($this->process)['running'];
    }

    /** SIGKILL: no chance to finish anything. */
    public function kill(): void
    {
        $this->signal(9);
    }

    /** SIGTERM, as an orderly stop; waits for the exit. */
    public function stop(): void
    {
        $this->signal(15);
    }

    private function signal(int $signal): void
    {
        if (!is_resource($this->process)) {
            return;
        }
        if (proc_get_status($this->process)['running']) {
            proc_terminate($this->process, $signal);
        }
        $deadline = microtime(true) + 30;
        while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
            usleep(10_000);
        }
        if (proc_get_status($this->process)['running']) {
            proc_terminate($this->process, 9);
        }
        proc_close($this->process);
    }

    public function __destruct()
    {
        $this->kill();
    }
}
