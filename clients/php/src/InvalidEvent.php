<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * An event that Histo would refuse: a bug of the caller, reported when the event is built, before
 * anything is queued. `field` names the argument at fault (`outcome`, `cause`, `site`, …).
 */
final class InvalidEvent extends \InvalidArgumentException
{
    public function __construct(public readonly string $field, string $message)
    {
        parent::__construct("$field: $message");
    }
}
