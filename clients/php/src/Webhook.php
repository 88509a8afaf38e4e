<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * Receiving Histo's webhooks (alerts and the monthly digest) in the ERP: the body is taken only
 * when `X-Histo-Signature` is the HMAC-SHA256 of it with the secret Histo showed when the rule (or
 * the digest) was made, compared in constant time. `X-Histo-Delivery` (also the body's `id`) is the
 * same on every retry: keep the ids seen to drop repeats.
 *
 *     $alert = Webhook::receive($secret, file_get_contents('php://input'),
 *         $_SERVER['HTTP_X_HISTO_SIGNATURE'] ?? null);
 *     // $alert['type']: 'alert.firing', 'alert.recovered' or 'digest'
 */
final class Webhook
{
    /**
     * The decoded body of a webhook signed with $secret; throws InvalidWebhook when the signature
     * is missing or wrong, or the body is not a JSON object.
     *
     * @return array<string, mixed>
     */
    public static function receive(string $secret, string $body, ?string $signature): array
    {
        if (!self::verify($secret, $body, $signature)) {
            throw new InvalidWebhook('the X-Histo-Signature header does not sign this body with this secret');
        }
        $decoded = json_decode($body, true);
        if (!is_array($decoded)) {
            throw new InvalidWebhook('the body is not a JSON object');
        }
        return $decoded;
    }

    /** Whether $signature (`sha256=<hex>`) is the HMAC-SHA256 of $body with $secret. */
    public static function verify(string $secret, string $body, ?string $signature): bool
    {
        return $signature !== null
            && hash_equals('sha256=' . hash_hmac('sha256', $body, $secret), $signature);
    }
}
