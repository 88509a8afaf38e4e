<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Tokens;
use PHPUnit\Framework\TestCase;

/** The JWTs as signed, checked here with the same algorithms (Histo checks them in AccessTest). */
final class TokensTest extends TestCase
{
    private const SECRET = 'a-secret-of-at-least-32-bytes-long!!';

    /** @return array{0: array<string, mixed>, 1: array<string, mixed>, 2: string, 3: string} header, claims, signed part, signature */
    private static function split(string $jwt): array
    {
        $parts = explode('.', $jwt);
        self::assertCount(3, $parts);
        $decode = static fn (string $part): string => base64_decode(strtr($part, '-_', '+/'), true);
        foreach ($parts as $part) {
            self::assertMatchesRegularExpression('/^[A-Za-z0-9_-]+$/', $part, 'base64url without padding');
        }
        return [json_decode($decode($parts[0]), true), json_decode($decode($parts[1]), true), "$parts[0].$parts[1]", $decode($parts[2])];
    }

    public function testHs256WithScope(): void
    {
        $jwt = (new Tokens(secret: self::SECRET))->sign(company: 'acme', userCode: 'JDUPONT', scope: 'events:write');
        [$header, $claims, $signed, $signature] = self::split($jwt);
        self::assertSame(['alg' => 'HS256', 'typ' => 'JWT'], $header);
        self::assertSame(hash_hmac('sha256', $signed, self::SECRET, true), $signature);
        self::assertSame(['sub', 'company', 'scope', 'iat', 'exp'], array_keys($claims));
        self::assertSame('JDUPONT', $claims['sub']);
        self::assertSame('acme', $claims['company']);
        self::assertSame('events:write', $claims['scope']);
        self::assertEqualsWithDelta(time(), $claims['iat'], 2);
        self::assertSame(300, $claims['exp'] - $claims['iat'], 'five minutes by default');
    }

    public function testRightsIssuerAudienceNotBeforeAndTtl(): void
    {
        $tokens = new Tokens(secret: self::SECRET, issuer: 'erp.example.com', audience: 'histo', ttl: 60);
        [, $claims] = self::split($tokens->sign(company: 'acme', userCode: 'JDUPONT', rights: [2, 7], notBefore: 1_800_000_000));
        self::assertSame([2, 7], $claims['rights']);
        self::assertArrayNotHasKey('scope', $claims);
        self::assertSame('erp.example.com', $claims['iss']);
        self::assertSame('histo', $claims['aud']);
        self::assertSame(1_800_000_000, $claims['nbf']);
        self::assertSame(60, $claims['exp'] - $claims['iat']);
        [, $claims] = self::split($tokens->sign(company: 'acme', userCode: 'JDUPONT', scope: 'logs:read sites:manage', ttl: 3600));
        self::assertSame('logs:read sites:manage', $claims['scope']);
        self::assertSame(3600, $claims['exp'] - $claims['iat']);
    }

    public function testRs256WithAPrivateKey(): void
    {
        $key = dirname(__DIR__, 3) . '/crates/server/test-keys/rsa.pem';
        $tokens = new Tokens(privateKey: $key);
        self::assertSame('RS256', $tokens->algorithm());
        [$header, $claims, $signed, $signature] = self::split($tokens->sign(company: 'acme', userCode: 'JDUPONT', scope: 'logs:read'));
        self::assertSame('RS256', $header['alg']);
        self::assertSame('acme', $claims['company']);
        $public = file_get_contents(dirname(__DIR__, 3) . '/crates/server/test-keys/rsa.pub.pem');
        self::assertSame(1, openssl_verify($signed, $signature, $public, OPENSSL_ALGO_SHA256));
        // PEM text works as well as a path.
        $fromText = new Tokens(privateKey: file_get_contents($key));
        [, , $signed, $signature] = self::split($fromText->sign(company: 'acme', userCode: 'X', rights: [2]));
        self::assertSame(1, openssl_verify($signed, $signature, $public, OPENSSL_ALGO_SHA256));
    }

    /** @return iterable<string, array{0: callable, 1: string}> */
    public static function misuse(): iterable
    {
        yield 'short secret' => [fn () => new Tokens(secret: str_repeat('s', 31)), 'at least 32 bytes'];
        yield 'no key' => [fn () => new Tokens(), 'give either secret'];
        yield 'two keys' => [fn () => new Tokens(secret: self::SECRET, privateKey: 'x'), 'give either secret'];
        yield 'bad private key' => [fn () => new Tokens(privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----'), 'not a readable RSA private key'];
        yield 'Ed25519 key' => [fn () => new Tokens(privateKey: dirname(__DIR__, 3) . '/crates/server/test-keys/ed25519.pem'), 'must be an RSA key'];
        yield 'neither scope nor rights' => [fn () => (new Tokens(secret: self::SECRET))->sign(company: 'acme', userCode: 'U'), 'give a scope or rights'];
        yield 'unknown scope' => [fn () => (new Tokens(secret: self::SECRET))->sign(company: 'acme', userCode: 'U', scope: 'logs:write'), "unknown scope 'logs:write'"];
        yield 'bad company' => [fn () => (new Tokens(secret: self::SECRET))->sign(company: 'ac me', userCode: 'U', scope: 'logs:read'), 'company must be'];
        yield 'bad user code' => [fn () => (new Tokens(secret: self::SECRET))->sign(company: 'acme', userCode: 'a@b', scope: 'logs:read'), 'userCode must be'];
        yield 'right as text' => [fn () => (new Tokens(secret: self::SECRET))->sign(company: 'acme', userCode: 'U', rights: ['2']), 'rights must be integers'];
    }

    /** @dataProvider misuse */
    public function testMisuseIsRefused(callable $make, string $message): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        $make();
    }
}
