<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * Histo's client for the ERP: record() puts an event in the local outbox (no network, so a page
 * never waits for Histo), flush() sends what waits, signInUrl() opens the web app for a user.
 *
 *     $histo = new Client(baseUrl: 'https://histo.example.com', company: 'acme',
 *         secret: $secret, outbox: '/var/lib/erp/histo-outbox.sqlite');
 *     $id = $histo->record(new Event(feature: 'email', outcome: 'success', site: 'PARIS', userCode: 'JDUPONT'));
 *     $result = $histo->flush();     // from cron: bin/histo-flush
 *     $url = $histo->signInUrl(userCode: 'JDUPONT', rights: [2]);
 */
final class Client
{
    /** Events per request: Histo takes up to 10,000; 1,000 keeps each request short. */
    public const BATCH_SIZE = 1000;
    /** Waits after failures in a row: 1 s, 2 s, 4 s, … up to 5 minutes, each with jitter. */
    public const BACKOFF_BASE = 1.0;
    public const BACKOFF_MAX = 300.0;
    /** The longest Retry-After honoured (an hour), so that a wrong header cannot stop sending for days. */
    public const RETRY_AFTER_MAX = 3600.0;

    private readonly string $baseUrl;
    private readonly Tokens $tokens;
    private readonly Outbox $outbox;
    private ?\CurlHandle $curl = null;
    private ?string $writeToken = null;
    private int $writeTokenUntil = 0;

    /**
     * @param string $baseUrl Histo's address, such as https://histo.example.com
     * @param string $company the company (tenant) of every event and token of this client
     * @param string|null $secret the HS256 secret shared with Histo (HISTO_JWT_SECRET)
     * @param string $outbox the path of the outbox file (SQLite), made when missing; its folder must
     *        be writable by every process that records or flushes (PHP-FPM and cron alike)
     * @param string|null $issuer `iss` of the tokens, when Histo checks it (HISTO_JWT_ISSUER)
     * @param string|null $audience `aud` of the tokens, when Histo checks it (HISTO_JWT_AUDIENCE)
     * @param string|null $privateKey instead of $secret: an RSA private key (PEM text or file) for RS256
     * @param string $flushUser the user code (`sub`) of the tokens that send events
     * @param float $timeout seconds a request to Histo may take, connection included
     * @param int $batchSize events per request, 1–10,000
     * @param bool $durable true: each record() reaches the disk before it returns (SQLite
     *        synchronous=FULL); false: faster, survives a crash of PHP but not a power cut
     */
    public function __construct(
        string $baseUrl,
        public readonly string $company,
        ?string $secret = null,
        string $outbox = '',
        ?string $issuer = null,
        ?string $audience = null,
        ?string $privateKey = null,
        private readonly string $flushUser = 'ERP',
        private readonly float $timeout = 30.0,
        private readonly int $batchSize = self::BATCH_SIZE,
        bool $durable = true,
    ) {
        if (!preg_match('#^https?://[^/\s]+(/\S*)?$#', $baseUrl)) {
            throw new \InvalidArgumentException("baseUrl must be an http(s) address, not '$baseUrl'");
        }
        if (!preg_match(Event::NAME_PATTERN, $company)) {
            throw new \InvalidArgumentException('company must be 1 to 64 letters, digits, _, . or -');
        }
        if (!preg_match(Event::NAME_PATTERN, $flushUser)) {
            throw new \InvalidArgumentException('flushUser must be 1 to 64 letters, digits, _, . or -');
        }
        if ($outbox === '') {
            throw new \InvalidArgumentException('outbox must name the outbox file');
        }
        if ($batchSize < 1 || $batchSize > 10000) {
            throw new \InvalidArgumentException('batchSize must be 1 to 10,000');
        }
        if ($timeout <= 0) {
            throw new \InvalidArgumentException('timeout must be positive');
        }
        $this->baseUrl = rtrim($baseUrl, '/');
        $this->tokens = new Tokens(secret: $secret, privateKey: $privateKey, issuer: $issuer, audience: $audience);
        $this->outbox = new Outbox($outbox, $durable);
    }

    /**
     * Puts the event in the outbox with a new UUIDv7 and returns that id. One short local
     * transaction, no network: it works the same whether Histo is up or not. Throws OutboxError only
     * when the outbox file itself cannot be written.
     */
    public function record(Event $event): string
    {
        $id = Uuid::v7();
        $this->outbox->append($event->toJson($id));
        return $id;
    }

    /**
     * Records several events in one transaction (a page that logs many uses at once).
     *
     * @param iterable<Event> $events
     * @return list<string> their ids, in order
     */
    public function recordAll(iterable $events): array
    {
        $ids = [];
        $bodies = [];
        foreach ($events as $event) {
            $ids[] = $id = Uuid::v7();
            $bodies[] = $event->toJson($id);
        }
        if ($bodies) {
            $this->outbox->append(...$bodies);
        }
        return $ids;
    }

    /**
     * Sends the waiting events in batches until the outbox is empty or a batch fails. Each batch is
     * claimed by this process alone (several flushers may run at once), and its events leave the
     * outbox only once Histo has acknowledged them. On a network error, a 5xx, 429 or 503 the batch
     * goes back to the outbox and no attempt is made before the wait (exponential with jitter, or
     * Histo's Retry-After) has passed — by this process or any other. Events refused with 422 are
     * moved to the `rejected` table with Histo's message; the others of their batch are sent again.
     * Never throws for the network or for Histo's answers; OutboxError when the outbox file cannot
     * be used.
     *
     * @param int|null $maxBatches stop after this many requests (a flush at the end of a web request)
     * @param bool $force try now even if a failure asked to wait
     */
    public function flush(?int $maxBatches = null, bool $force = false): FlushResult
    {
        $sent = $accepted = $duplicates = $expired = $rejected = $requests = 0;
        $retryAt = null;
        $error = null;
        $misconfigured = false;
        $lease = 2 * $this->timeout + 30;
        $size = $this->batchSize;
        while ($maxBatches === null || $requests < $maxBatches) {
            $batch = $this->outbox->claim($size, $lease, $force);
            if (isset($batch['wait'])) {
                $retryAt = $batch['wait'];
                $last = $this->outbox->lastError() ?? 'unknown';
                $error = "waiting after a failure: $last";
                // Still refused, as far as anyone knows: keep saying so until a try succeeds.
                $misconfigured = (bool) preg_match('/^Histo answered 40[13]\b/', $last);
                break;
            }
            if (!$batch['seqs']) {
                break;
            }
            $requests++;
            [$status, $headers, $body, $networkError] = $this->post(
                '/api/v1/events',
                '{"events":[' . implode(',', $batch['bodies']) . ']}'
            );
            $answer = is_string($body) ? json_decode($body, true) : null;
            if ($status === 200 && is_array($answer) && isset($answer['accepted'])) {
                $this->outbox->acknowledge($batch['seqs'], $batch['token']);
                $sent += count($batch['seqs']);
                $accepted += (int) $answer['accepted'];
                $duplicates += (int) ($answer['duplicates'] ?? 0);
                $expired += (int) ($answer['expired'] ?? 0);
                continue;
            }
            if ($status === 422 && is_array($answer)) {
                $refusals = self::refusals($answer, count($batch['seqs']));
                if ($refusals) {
                    $rejected += $this->outbox->reject($batch['seqs'], $batch['token'], $refusals, 422);
                    continue;
                }
            }
            if ($status === 413 && $size > 1) {
                // Larger than Histo takes (HISTO_MAX_BODY_BYTES): smaller batches, at once.
                $this->outbox->unlease($batch['seqs'], $batch['token']);
                $size = max(1, intdiv($size, 2));
                continue;
            }
            // Anything else: the batch goes back, and the next attempt waits.
            $retryAfter = null;
            if ($networkError !== null) {
                $error = "Histo is unreachable: $networkError";
            } else {
                $error = "Histo answered $status" . (is_array($answer) && isset($answer['error']) ? ': ' . $answer['error'] : '');
                $retryAfter = self::retryAfter($headers['retry-after'] ?? null);
                $misconfigured = in_array($status, [401, 403], true);
            }
            $retryAt = $this->outbox->release(
                $batch['seqs'],
                $batch['token'],
                fn (int $failures): float => microtime(true) + self::backoff($failures, $retryAfter),
                $error
            );
            break;
        }
        return new FlushResult(
            sent: $sent,
            accepted: $accepted,
            duplicates: $duplicates,
            expired: $expired,
            rejected: $rejected,
            pending: $this->outbox->pending(),
            requests: $requests,
            retryAt: $retryAt,
            error: $error,
            misconfigured: $misconfigured,
        );
    }

    /**
     * The web app's address with a fresh token for this user, for a link in the ERP's menu or an
     * iframe: `{baseUrl}/#access_token=…`. The token rides in the fragment, so it never reaches a
     * server's log; the web app keeps it for the tab and removes it from the address bar.
     *
     * @param list<int>|null $rights the user's numbered rights in the ERP (2: reads the statistics)
     * @param string|null $scope or scopes by name, space-separated
     * @param int $ttl how long the link works, in seconds
     */
    public function signInUrl(string $userCode, ?array $rights = null, ?string $scope = null, int $ttl = 3600): string
    {
        $token = $this->tokens->sign(company: $this->company, userCode: $userCode, scope: $scope, rights: $rights, ttl: $ttl);
        return $this->baseUrl . '/#access_token=' . $token;
    }

    /** A token of this client's company, for calling Histo's API directly. */
    public function token(string $userCode, ?string $scope = null, ?array $rights = null, ?int $ttl = null): string
    {
        return $this->tokens->sign(company: $this->company, userCode: $userCode, scope: $scope, rights: $rights, ttl: $ttl);
    }

    /** Events waiting in the outbox. */
    public function pending(): int
    {
        return $this->outbox->pending();
    }

    /** When the next flush may send (Unix time), or null when it may now. */
    public function nextAttemptAt(): ?float
    {
        return $this->outbox->nextAttemptAt();
    }

    /**
     * Events Histo refused (422), with its message, oldest first.
     *
     * @return list<array{event: array<string, mixed>, field: ?string, message: string, status: int, rejected_at: string}>
     */
    public function rejected(int $limit = 100): array
    {
        return $this->outbox->rejected($limit);
    }

    public function rejectedCount(): int
    {
        return $this->outbox->rejectedCount();
    }

    /**
     * The wait before attempt number $failures + 1: doubling from BACKOFF_BASE up to BACKOFF_MAX,
     * a random half of it taken off (jitter, so that many ERPs do not come back at the same second),
     * and never less than Histo's Retry-After.
     */
    public static function backoff(int $failures, ?float $retryAfter = null): float
    {
        $ceiling = min(self::BACKOFF_MAX, self::BACKOFF_BASE * 2 ** min(30, max(0, $failures - 1)));
        $wait = $ceiling / 2 + $ceiling / 2 * (random_int(0, 1_000_000) / 1_000_000);
        return $retryAfter === null ? $wait : max($wait, $retryAfter);
    }

    /** Seconds to wait from a Retry-After header: a number of seconds or an HTTP date. */
    public static function retryAfter(?string $header): ?float
    {
        if ($header === null || ($header = trim($header)) === '') {
            return null;
        }
        if (ctype_digit($header)) {
            $seconds = (float) $header;
        } else {
            $at = strtotime($header);
            if ($at === false) {
                return null;
            }
            $seconds = $at - microtime(true);
        }
        return max(0.0, min(self::RETRY_AFTER_MAX, $seconds));
    }

    /**
     * The refused events of a 422 answer by their position in the batch; empty when the answer
     * names none (then nothing is set aside).
     *
     * @param array<string, mixed> $answer
     * @return array<int, array{field: ?string, message: string}>
     */
    private static function refusals(array $answer, int $size): array
    {
        $refusals = [];
        foreach ($answer['details'] ?? [] as $detail) {
            $index = $detail['index'] ?? null;
            if (!is_int($index) || $index < 0 || $index >= $size) {
                return [];
            }
            $field = isset($detail['field']) ? (string) $detail['field'] : null;
            $message = (string) ($detail['message'] ?? $answer['error'] ?? 'refused');
            if (isset($refusals[$index])) {
                $refusals[$index]['message'] .= '; ' . ($field !== null ? "$field: " : '') . $message;
            } else {
                $refusals[$index] = ['field' => $field, 'message' => ($field !== null ? "$field: " : '') . $message];
            }
        }
        return $refusals;
    }

    /**
     * One POST to Histo with a fresh events:write token.
     *
     * @return array{0: int, 1: array<string, string>, 2: string|null, 3: string|null} status, headers, body, network error
     */
    private function post(string $path, string $json): array
    {
        if ($this->writeToken === null || time() >= $this->writeTokenUntil) {
            $this->writeToken = $this->tokens->sign(company: $this->company, userCode: $this->flushUser, scope: 'events:write');
            // Renewed at half its life, so that it never expires in flight.
            $this->writeTokenUntil = time() + intdiv($this->tokens->ttl, 2);
        }
        $this->curl ??= curl_init();
        $curl = $this->curl;
        $headers = [];
        curl_setopt_array($curl, [
            CURLOPT_URL => $this->baseUrl . $path,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $json,
            CURLOPT_HTTPHEADER => [
                'Content-Type: application/json',
                'Accept: application/json',
                'Authorization: Bearer ' . $this->writeToken,
                'Expect:',
            ],
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT_MS => (int) (min($this->timeout, 10.0) * 1000),
            CURLOPT_TIMEOUT_MS => (int) ($this->timeout * 1000),
            CURLOPT_ENCODING => '',
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$headers): int {
                $parts = explode(':', $line, 2);
                if (count($parts) === 2) {
                    $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
                }
                return strlen($line);
            },
        ]);
        $body = curl_exec($curl);
        if ($body === false) {
            $error = curl_error($curl) ?: 'curl error ' . curl_errno($curl);
            // A broken connection is not reused.
            curl_close($curl);
            $this->curl = null;
            return [0, [], null, $error];
        }
        return [(int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE), $headers, (string) $body, null];
    }
}
