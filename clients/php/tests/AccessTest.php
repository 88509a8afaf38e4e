<?php

declare(strict_types=1);

namespace Histo\Client\Tests;

use Histo\Client\Client;
use Histo\Client\Tokens;
use Histo\Client\Tests\Support\HistoProcess;
use Histo\Client\Tests\Support\TestCase;

/** The client's tokens as the real histo checks them: HS256, RS256, rights, issuer and audience. */
final class AccessTest extends TestCase
{
    private static function keys(): string
    {
        return dirname(__DIR__, 3) . '/crates/server/test-keys';
    }

    public function testHs256TokensAreVerifiedByHisto(): void
    {
        $histo = $this->startHisto();
        $event = '{"feature":"sms","outcome":"success","site":"PARIS","user_code":"JDUPONT","occurred_at":"' . date(DATE_RFC3339) . '"}';
        $token = $this->tokens()->sign(company: $this->company, userCode: 'ERP', scope: 'events:write');
        [$status, $body] = self::call('POST', "$histo->url/api/v1/events", $token, $event);
        self::assertSame(200, $status, json_encode($body));
        self::assertSame(1, $body['accepted']);

        $other = (new Tokens(secret: str_repeat('x', 32)))->sign(company: $this->company, userCode: 'ERP', scope: 'events:write');
        [$status, $body] = self::call('POST', "$histo->url/api/v1/events", $other, $event);
        self::assertSame(401, $status);
        self::assertStringContainsString('bad signature', $body['error']);

        [$status] = self::call('POST', "$histo->url/api/v1/events", $this->readToken(), $event);
        self::assertSame(403, $status, 'logs:read does not record');
        self::assertSame(1, $this->storedTotal($histo->url));
    }

    public function testAFlushWithTheWrongSecretKeepsTheEventsAndSaysSo(): void
    {
        $histo = $this->startHisto();
        $client = $this->client($histo->url, ['secret' => str_repeat('w', 40)]);
        $client->recordAll(self::events(3));
        $result = $client->flush();
        self::assertTrue($result->misconfigured);
        self::assertStringStartsWith('Histo answered 401: invalid token: bad signature', (string) $result->error);
        self::assertSame(3, $result->pending);
        self::assertSame(0, $this->storedTotal($histo->url));
        $fixed = $this->client($histo->url);
        self::assertSame(3, $fixed->flush(force: true)->accepted);
    }

    public function testRightNumberTwoReadsTheStatistics(): void
    {
        $histo = $this->startHisto();
        $client = $this->client($histo->url);
        $client->recordAll(self::events(8));
        self::assertSame(8, $client->flush()->accepted);
        $year = date('Y');

        $token = $this->tokens()->sign(company: $this->company, userCode: 'JDUPONT', rights: [2]);
        [$status, $stats] = self::call('GET', "$histo->url/api/v1/stats?feature=email&granularity=month&year=$year", $token);
        self::assertSame(200, $status, json_encode($stats));
        self::assertSame('email', $stats['feature']);
        self::assertSame(2, array_sum(array_column(array_column($stats['buckets'], 'counts'), 'success')));

        // The same through signInUrl's link.
        $url = $client->signInUrl(userCode: 'JDUPONT', rights: [2]);
        self::assertStringStartsWith("$histo->url/#access_token=", $url);
        $linkToken = substr($url, strlen("$histo->url/#access_token="));
        [$status, $overview] = self::call('GET', "$histo->url/api/v1/stats/overview?period=$year", $linkToken);
        self::assertSame(200, $status);
        self::assertSame(8, array_sum(array_column($overview['features'], 'total')));

        // Rights Histo does not map grant nothing; events:write does not read.
        $none = $this->tokens()->sign(company: $this->company, userCode: 'JDUPONT', rights: [1, 3]);
        self::assertSame(403, self::call('GET', "$histo->url/api/v1/stats?feature=email&granularity=month&year=$year", $none)[0]);
        self::assertSame(403, self::call('GET', "$histo->url/api/v1/stats?feature=email&granularity=month&year=$year", $client->token('JDUPONT', scope: 'events:write'))[0]);
    }

    public function testRs256TokensOfAHostThatKeepsAPrivateKey(): void
    {
        $histo = $this->startHisto(['HISTO_JWT_SECRET' => null, 'HISTO_JWT_PUBLIC_KEY' => self::keys() . '/rsa.pub.pem']);
        $client = new Client(baseUrl: $histo->url, company: $this->company, outbox: $this->outbox,
            privateKey: self::keys() . '/rsa.pem');
        $client->recordAll(self::events(12));
        $result = $client->flush();
        self::assertNull($result->error);
        self::assertSame(12, $result->accepted);
        $read = $client->token('JDUPONT', rights: [2]);
        [$status, $overview] = self::call('GET', "$histo->url/api/v1/stats/overview?period=" . date('Y'), $read);
        self::assertSame(200, $status);
        self::assertSame(12, array_sum(array_column($overview['features'], 'total')));
        // An HS256 token is refused by a server that has only the public key.
        self::assertSame(401, self::call('GET', "$histo->url/api/v1/features", $this->readToken())[0]);
    }

    public function testIssuerAndAudienceWhenHistoChecksThem(): void
    {
        $histo = $this->startHisto(['HISTO_JWT_ISSUER' => 'erp.example.com', 'HISTO_JWT_AUDIENCE' => 'histo']);
        $client = $this->client($histo->url, ['issuer' => 'erp.example.com', 'audience' => 'histo']);
        $client->recordAll(self::events(4));
        self::assertSame(4, $client->flush()->accepted);

        $client->recordAll(self::events(4));
        $noAudience = $this->client($histo->url, ['issuer' => 'erp.example.com']);
        $refused = $noAudience->flush();
        self::assertTrue($refused->misconfigured);
        self::assertStringContainsString('401', (string) $refused->error);
        self::assertSame(4, $refused->pending);
        $wrongIssuer = $this->client($histo->url, ['issuer' => 'someone.else', 'audience' => 'histo']);
        self::assertStringContainsString('wrong issuer', (string) $wrongIssuer->flush(force: true)->error);
        self::assertSame(4, $client->flush(force: true)->accepted);
    }
}
