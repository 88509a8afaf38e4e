<?php

declare(strict_types=1);

namespace Histo\Client;

/** A request that does not come from Histo, or was changed on the way: it must be refused (403). */
final class InvalidWebhook extends \RuntimeException
{
}
