<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * The outbox file cannot be opened or written (a missing folder, rights, a full disk): a problem of
 * the host itself, never of the network or of Histo.
 */
final class OutboxError extends \RuntimeException
{
}
