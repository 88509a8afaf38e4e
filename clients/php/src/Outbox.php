<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * The local SQLite file where events wait until Histo has acknowledged them.
 *
 * Tables: `outbox` (the waiting events, in order, each with the lease of the flusher sending it, if
 * any), `rejected` (events that Histo refused with 422, with its message) and `state` (when the next
 * attempt may be made, after a failure). WAL mode, so that recording never waits for a reader; every
 * write is one short transaction; `BEGIN IMMEDIATE` makes claiming a batch atomic between processes.
 *
 * @internal used by Client; its schema is documented in docs/integration.md.
 */
final class Outbox
{
    private const VERSION = 1;
    private const SCHEMA = [
        'CREATE TABLE IF NOT EXISTS outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            body TEXT NOT NULL,
            lease TEXT,
            lease_until REAL
        )',
        'CREATE TABLE IF NOT EXISTS rejected (
            seq INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            field TEXT,
            message TEXT NOT NULL,
            status INTEGER NOT NULL,
            rejected_at TEXT NOT NULL
        )',
        'CREATE TABLE IF NOT EXISTS state (
            key TEXT PRIMARY KEY,
            value
        ) WITHOUT ROWID',
    ];

    private ?\PDO $db = null;

    public function __construct(public readonly string $path, private readonly bool $durable = true)
    {
    }

    /** Appends events' JSON in one transaction. */
    public function append(string ...$bodies): void
    {
        $db = $this->db();
        try {
            if (count($bodies) === 1) {
                $db->prepare('INSERT INTO outbox (body) VALUES (?)')->execute($bodies);
                return;
            }
            $db->exec('BEGIN IMMEDIATE');
            $insert = $db->prepare('INSERT INTO outbox (body) VALUES (?)');
            foreach ($bodies as $body) {
                $insert->execute([$body]);
            }
            $db->exec('COMMIT');
        } catch (\PDOException $e) {
            $this->rollBack();
            throw new OutboxError("cannot write the outbox {$this->path}: {$e->getMessage()}", 0, $e);
        }
    }

    /**
     * Claims up to $limit waiting events for this flusher until $leaseUntil: those nobody holds, or
     * whose holder's lease has run out (a flusher that died). Nothing when the outbox must wait
     * (after a failure) unless $force.
     *
     * @return array{seqs: list<int>, bodies: list<string>, token: string}|array{wait: float}
     */
    public function claim(int $limit, float $leaseSeconds, bool $force): array
    {
        $db = $this->db();
        $token = bin2hex(random_bytes(8));
        try {
            $db->exec('BEGIN IMMEDIATE');
            $now = microtime(true);
            if (!$force) {
                $next = (float) $this->stateValue('next_attempt_at', 0.0);
                if ($next > $now) {
                    $db->exec('COMMIT');
                    return ['wait' => $next];
                }
            }
            $select = $db->prepare(
                'SELECT seq, body FROM outbox WHERE lease_until IS NULL OR lease_until < ? ORDER BY seq LIMIT ?'
            );
            $select->execute([$now, $limit]);
            $seqs = [];
            $bodies = [];
            foreach ($select->fetchAll(\PDO::FETCH_NUM) as [$seq, $body]) {
                $seqs[] = (int) $seq;
                $bodies[] = $body;
            }
            if ($seqs) {
                $db->prepare('UPDATE outbox SET lease = ?, lease_until = ? WHERE seq IN (' . implode(',', $seqs) . ')')
                    ->execute([$token, $now + $leaseSeconds]);
            }
            $db->exec('COMMIT');
            return ['seqs' => $seqs, 'bodies' => $bodies, 'token' => $token];
        } catch (\PDOException $e) {
            $this->rollBack();
            throw new OutboxError("cannot use the outbox {$this->path}: {$e->getMessage()}", 0, $e);
        }
    }

    /**
     * Removes the events of a batch that Histo acknowledged, if this flusher still holds them (when
     * its lease ran out, another flusher has them and will send them again: Histo counts them as
     * duplicates). Clears the failure count.
     *
     * @param list<int> $seqs
     */
    public function acknowledge(array $seqs, string $token): void
    {
        $this->transaction(function (\PDO $db) use ($seqs, $token): void {
            $db->prepare('DELETE FROM outbox WHERE seq IN (' . implode(',', $seqs) . ') AND lease = ?')
                ->execute([$token]);
            $db->exec("DELETE FROM state WHERE key IN ('failures', 'next_attempt_at', 'last_error')");
        });
    }

    /**
     * Moves the refused events of a batch to `rejected` with Histo's message, and gives the others
     * back for the next claim.
     *
     * @param list<int> $seqs
     * @param array<int, array{field: ?string, message: string}> $refusals by position in the batch
     */
    public function reject(array $seqs, string $token, array $refusals, int $status): int
    {
        return $this->transaction(function (\PDO $db) use ($seqs, $token, $refusals, $status): int {
            $move = $db->prepare(
                'INSERT OR REPLACE INTO rejected (seq, body, field, message, status, rejected_at)
                 SELECT seq, body, ?, ?, ?, ? FROM outbox WHERE seq = ? AND lease = ?'
            );
            $delete = $db->prepare('DELETE FROM outbox WHERE seq = ? AND lease = ?');
            $moved = 0;
            $at = gmdate('Y-m-d\TH:i:s\Z');
            foreach ($refusals as $index => $refusal) {
                $move->execute([$refusal['field'], $refusal['message'], $status, $at, $seqs[$index], $token]);
                $delete->execute([$seqs[$index], $token]);
                $moved += $delete->rowCount();
            }
            $db->prepare('UPDATE outbox SET lease = NULL, lease_until = NULL WHERE seq IN (' . implode(',', $seqs) . ') AND lease = ?')
                ->execute([$token]);
            return $moved;
        });
    }

    /**
     * Gives a batch back after a failure and sets when the next attempt may be made.
     *
     * @param list<int> $seqs
     * @param callable(int): float $nextAttempt from the number of failures in a row, the Unix time
     */
    public function release(array $seqs, string $token, callable $nextAttempt, string $error): float
    {
        return $this->transaction(function (\PDO $db) use ($seqs, $token, $nextAttempt, $error): float {
            if ($seqs) {
                $db->prepare('UPDATE outbox SET lease = NULL, lease_until = NULL WHERE seq IN (' . implode(',', $seqs) . ') AND lease = ?')
                    ->execute([$token]);
            }
            $failures = (int) $this->stateValue('failures', 0) + 1;
            // Microseconds, kept exactly (a float would be cut to 14 digits).
            $at = sprintf('%.6F', $nextAttempt($failures));
            $set = $db->prepare('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)');
            $set->execute(['failures', $failures]);
            $set->execute(['next_attempt_at', $at]);
            $set->execute(['last_error', $error]);
            return (float) $at;
        });
    }

    /**
     * Gives a batch back without counting a failure.
     *
     * @param list<int> $seqs
     */
    public function unlease(array $seqs, string $token): void
    {
        $this->db()->prepare('UPDATE outbox SET lease = NULL, lease_until = NULL WHERE seq IN (' . implode(',', $seqs) . ') AND lease = ?')
            ->execute([$token]);
    }

    /** Why the last attempt failed, while a wait is in force. */
    public function lastError(): ?string
    {
        $error = $this->stateValue('last_error', null);
        return $error === null ? null : (string) $error;
    }

    /** Events waiting, those being sent included. */
    public function pending(): int
    {
        return (int) $this->db()->query('SELECT count(*) FROM outbox')->fetchColumn();
    }

    /** When the next attempt may be made (Unix time), or null when now. */
    public function nextAttemptAt(): ?float
    {
        $at = $this->stateValue('next_attempt_at', null);
        return $at === null || (float) $at <= microtime(true) ? null : (float) $at;
    }

    /**
     * The events that Histo refused, oldest first.
     *
     * @return list<array{event: array<string, mixed>, field: ?string, message: string, status: int, rejected_at: string}>
     */
    public function rejected(int $limit = 100): array
    {
        $rows = $this->db()->prepare('SELECT body, field, message, status, rejected_at FROM rejected ORDER BY seq LIMIT ?');
        $rows->execute([$limit]);
        $out = [];
        foreach ($rows->fetchAll(\PDO::FETCH_ASSOC) as $row) {
            $out[] = [
                'event' => json_decode($row['body'], true),
                'field' => $row['field'],
                'message' => $row['message'],
                'status' => (int) $row['status'],
                'rejected_at' => $row['rejected_at'],
            ];
        }
        return $out;
    }

    public function rejectedCount(): int
    {
        return (int) $this->db()->query('SELECT count(*) FROM rejected')->fetchColumn();
    }

    public function close(): void
    {
        $this->db = null;
    }

    /**
     * @template T
     * @param callable(\PDO): T $work
     * @return T
     */
    private function transaction(callable $work): mixed
    {
        $db = $this->db();
        try {
            $db->exec('BEGIN IMMEDIATE');
            $result = $work($db);
            $db->exec('COMMIT');
            return $result;
        } catch (\PDOException $e) {
            $this->rollBack();
            throw new OutboxError("cannot use the outbox {$this->path}: {$e->getMessage()}", 0, $e);
        }
    }

    private function rollBack(): void
    {
        try {
            $this->db?->exec('ROLLBACK');
        } catch (\PDOException) {
            // No transaction was open.
        }
    }

    private function stateValue(string $key, mixed $default): mixed
    {
        $get = $this->db()->prepare('SELECT value FROM state WHERE key = ?');
        $get->execute([$key]);
        $value = $get->fetchColumn();
        return $value === false ? $default : $value;
    }

    private function db(): \PDO
    {
        if ($this->db !== null) {
            return $this->db;
        }
        try {
            $db = new \PDO('sqlite:' . $this->path, null, null, [
                \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
                \PDO::ATTR_TIMEOUT => 30,
            ]);
            $db->exec('PRAGMA busy_timeout = 30000');
            // FULL: an event is on disk when record() returns, power cut included; NORMAL survives a
            // crash of PHP or of the host's processes but may lose the last commits on a power cut.
            $db->exec('PRAGMA synchronous = ' . ($this->durable ? 'FULL' : 'NORMAL'));
            if ((int) $db->query('PRAGMA user_version')->fetchColumn() < self::VERSION) {
                // WAL is a property of the file: set once, before the tables.
                $db->exec('PRAGMA journal_mode = WAL');
                $db->exec('BEGIN IMMEDIATE');
                foreach (self::SCHEMA as $statement) {
                    $db->exec($statement);
                }
                $db->exec('PRAGMA user_version = ' . self::VERSION);
                $db->exec('COMMIT');
            }
        } catch (\PDOException $e) {
            throw new OutboxError("cannot open the outbox {$this->path}: {$e->getMessage()}", 0, $e);
        }
        return $this->db = $db;
    }
}
