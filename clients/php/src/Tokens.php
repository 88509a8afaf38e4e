<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * Signs the short-lived JWTs that Histo takes: HS256 with the secret shared with Histo
 * (HISTO_JWT_SECRET, at least 32 bytes), or RS256 with a private key whose public half Histo has
 * (HISTO_JWT_PUBLIC_KEY). No token is ever stored: make one when it is needed.
 *
 *     $tokens = new Tokens(secret: $secret);
 *     $jwt = $tokens->sign(company: 'acme', userCode: 'JDUPONT', rights: [2]);
 */
final class Tokens
{
    public const MIN_SECRET_BYTES = 32;
    /** Five minutes: long enough for one request or one flush, too short to be worth stealing. */
    public const DEFAULT_TTL = 300;
    /** Scopes Histo knows. */
    public const SCOPES = ['logs:read', 'events:write', 'sites:manage', 'settings:admin'];

    private readonly string $algorithm;
    private readonly mixed $key;

    /**
     * @param string|null $secret the HS256 secret shared with Histo
     * @param string|null $privateKey an RSA private key for RS256: PEM text, or the path of a PEM file
     * @param string|null $issuer the `iss` claim, when Histo checks it (HISTO_JWT_ISSUER)
     * @param string|null $audience the `aud` claim, when Histo checks it (HISTO_JWT_AUDIENCE)
     */
    public function __construct(
        ?string $secret = null,
        ?string $privateKey = null,
        public readonly ?string $issuer = null,
        public readonly ?string $audience = null,
        public readonly int $ttl = self::DEFAULT_TTL,
    ) {
        if (($secret === null) === ($privateKey === null)) {
            throw new \InvalidArgumentException('give either secret (HS256) or privateKey (RS256)');
        }
        if ($ttl < 1) {
            throw new \InvalidArgumentException('ttl must be at least one second');
        }
        if ($secret !== null) {
            if (strlen($secret) < self::MIN_SECRET_BYTES) {
                throw new \InvalidArgumentException(
                    'the secret must be at least ' . self::MIN_SECRET_BYTES . ' bytes, as Histo requires'
                );
            }
            $this->algorithm = 'HS256';
            $this->key = $secret;
            return;
        }
        if (!function_exists('openssl_pkey_get_private')) {
            throw new \InvalidArgumentException('RS256 needs PHP\'s openssl extension');
        }
        $pem = str_contains($privateKey, '-----BEGIN') ? $privateKey : @file_get_contents($privateKey);
        $key = $pem === false ? false : openssl_pkey_get_private($pem);
        if ($key === false) {
            throw new \InvalidArgumentException('privateKey is not a readable RSA private key in PEM');
        }
        $details = openssl_pkey_get_details($key);
        if (($details['type'] ?? null) !== OPENSSL_KEYTYPE_RSA) {
            throw new \InvalidArgumentException('privateKey must be an RSA key (RS256)');
        }
        $this->algorithm = 'RS256';
        $this->key = $key;
    }

    /** HS256 or RS256. */
    public function algorithm(): string
    {
        return $this->algorithm;
    }

    /**
     * A signed token for one user of one company.
     *
     * @param string|null $scope space-separated scopes (`logs:read events:write`)
     * @param list<int>|null $rights the ERP's numbered rights; Histo maps them to scopes (2 → logs:read)
     * @param int|null $ttl lifetime in seconds (the default of this Tokens when null)
     * @param int|null $notBefore `nbf`, when the token must not be used before a given Unix time
     */
    public function sign(
        string $company,
        string $userCode,
        ?string $scope = null,
        ?array $rights = null,
        ?int $ttl = null,
        ?int $notBefore = null,
    ): string {
        if (!preg_match(Event::NAME_PATTERN, $company)) {
            throw new \InvalidArgumentException('company must be 1 to 64 letters, digits, _, . or -');
        }
        if (!preg_match(Event::NAME_PATTERN, $userCode)) {
            throw new \InvalidArgumentException('userCode must be 1 to 64 letters, digits, _, . or -');
        }
        if ($scope === null && $rights === null) {
            throw new \InvalidArgumentException('give a scope or rights');
        }
        if ($scope !== null) {
            foreach (preg_split('/ +/', trim($scope), -1, PREG_SPLIT_NO_EMPTY) as $one) {
                if (!in_array($one, self::SCOPES, true)) {
                    throw new \InvalidArgumentException("unknown scope '$one' (one of " . implode(', ', self::SCOPES) . ')');
                }
            }
        }
        if ($rights !== null) {
            foreach ($rights as $right) {
                if (!is_int($right)) {
                    throw new \InvalidArgumentException('rights must be integers');
                }
            }
        }
        $ttl ??= $this->ttl;
        if ($ttl < 1) {
            throw new \InvalidArgumentException('ttl must be at least one second');
        }
        $now = time();
        $claims = ['sub' => $userCode, 'company' => $company];
        if ($scope !== null) {
            $claims['scope'] = trim($scope);
        }
        if ($rights !== null) {
            $claims['rights'] = array_values($rights);
        }
        $claims['iat'] = $now;
        $claims['exp'] = $now + $ttl;
        if ($notBefore !== null) {
            $claims['nbf'] = $notBefore;
        }
        if ($this->issuer !== null) {
            $claims['iss'] = $this->issuer;
        }
        if ($this->audience !== null) {
            $claims['aud'] = $this->audience;
        }
        return $this->encode($claims);
    }

    /** @param array<string, mixed> $claims */
    private function encode(array $claims): string
    {
        $header = ['alg' => $this->algorithm, 'typ' => 'JWT'];
        $input = self::base64url(json_encode($header, JSON_THROW_ON_ERROR)) . '.'
            . self::base64url(json_encode($claims, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES));
        if ($this->algorithm === 'HS256') {
            $signature = hash_hmac('sha256', $input, $this->key, true);
        } elseif (!openssl_sign($input, $signature, $this->key, OPENSSL_ALGO_SHA256)) {
            throw new \RuntimeException('openssl could not sign the token: ' . openssl_error_string());
        }
        return $input . '.' . self::base64url($signature);
    }

    public static function base64url(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
