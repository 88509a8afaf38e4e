<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * What one Client::flush() did. Every event that Histo acknowledged left the outbox:
 * `sent` = `accepted` + `duplicates` + `expired`.
 */
final class FlushResult
{
    public function __construct(
        /** Events that Histo acknowledged (and that left the outbox). */
        public readonly int $sent = 0,
        /** Of those, the events newly stored and counted. */
        public readonly int $accepted = 0,
        /** Of those, the events Histo already had under the same id (a resend after a lost answer). */
        public readonly int $duplicates = 0,
        /** Of those, the events older than the company's retention period: neither stored nor counted. */
        public readonly int $expired = 0,
        /** Events refused by Histo (422), moved aside to the outbox's `rejected` table with its message. */
        public readonly int $rejected = 0,
        /** Events still waiting in the outbox after this flush. */
        public readonly int $pending = 0,
        /** Requests made to Histo. */
        public readonly int $requests = 0,
        /** When the next attempt may be made (Unix time), when this flush stopped on a failure or a wait. */
        public readonly ?float $retryAt = null,
        /** Why the flush stopped early: the network error or Histo's answer; null when all went. */
        public readonly ?string $error = null,
        /** True when Histo refused the token (401, 403): a configuration error that waiting will not cure. */
        public readonly bool $misconfigured = false,
    ) {
    }

    /** One line, for logs and the histo-flush command. */
    public function __toString(): string
    {
        $line = sprintf(
            'sent=%d accepted=%d duplicates=%d expired=%d rejected=%d pending=%d',
            $this->sent,
            $this->accepted,
            $this->duplicates,
            $this->expired,
            $this->rejected,
            $this->pending
        );
        if ($this->retryAt !== null) {
            $line .= ' retry_at=' . gmdate('Y-m-d\TH:i:s\Z', (int) ceil($this->retryAt));
        }
        if ($this->error !== null) {
            $line .= ' error="' . addcslashes($this->error, "\"\\\n") . '"';
        }
        return $line;
    }
}
