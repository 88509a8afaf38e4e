<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * One use of one feature of the ERP, checked when it is built: an event that Histo would refuse
 * throws InvalidEvent at once (a bug of the caller), so that nothing wrong is ever queued.
 *
 *     new Event(feature: Event::EMAIL, outcome: Event::ERROR, site: 'PARIS', userCode: 'JDUPONT',
 *               cause: Event::CONFIGURATION, code: 'SMTP_AUTH');
 *     new Event(feature: Event::DEA_UPDATE, outcome: Event::SUCCESS, site: 'LYON', userCode: 'MMARTIN',
 *               detail: ['changed' => Event::CHANGED_AMOUNT]);
 *
 * The id is not the event's: Client::record() gives each recorded event its own UUIDv7.
 */
final class Event
{
    // Features.
    public const EMAIL = 'email';
    public const SMS = 'sms';
    public const ATTACHMENT = 'attachment';
    public const SIRENE = 'sirene';
    public const VIES = 'vies';
    public const DEA_UPDATE = 'dea_update';
    public const PHP_WEB_API = 'php_web_api';
    public const GOOGLE_CALENDAR_SYNC = 'google_calendar_sync';

    // Outcomes.
    public const SUCCESS = 'success';
    public const NO_RESULT = 'no_result';
    public const ERROR = 'error';
    public const STOPPED = 'stopped';

    // Causes of an `error`.
    public const CONFIGURATION = 'configuration';
    public const EXECUTION = 'execution';
    public const REMOTE_API = 'remote_api';
    public const INVALID_NUMBER = 'invalid_number';

    // What a `dea_update` changed: its detail `changed`.
    public const CHANGED_CODE = 'code';
    public const CHANGED_AMOUNT = 'amount';

    /**
     * Every feature in Histo's order, with its outcomes (in the order charts stack them), the causes
     * of its errors and its detail field with the values it takes (null: no detail). The same as
     * Histo's `GET /api/v1/features` (a test fails when they drift).
     */
    public const TAXONOMY = [
        self::EMAIL => [
            'outcomes' => [self::SUCCESS, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION],
            'detail' => null,
        ],
        self::SMS => [
            'outcomes' => [self::SUCCESS, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION],
            'detail' => null,
        ],
        self::ATTACHMENT => [
            'outcomes' => [self::SUCCESS, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION, self::EXECUTION],
            'detail' => null,
        ],
        self::SIRENE => [
            'outcomes' => [self::SUCCESS, self::NO_RESULT, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION, self::REMOTE_API],
            'detail' => null,
        ],
        self::VIES => [
            'outcomes' => [self::SUCCESS, self::NO_RESULT, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION, self::INVALID_NUMBER],
            'detail' => null,
        ],
        self::DEA_UPDATE => [
            'outcomes' => [self::SUCCESS],
            'causes' => [],
            'detail' => ['changed' => [self::CHANGED_CODE, self::CHANGED_AMOUNT]],
        ],
        self::PHP_WEB_API => [
            'outcomes' => [self::SUCCESS, self::ERROR],
            'causes' => [self::CONFIGURATION, self::EXECUTION],
            'detail' => null,
        ],
        self::GOOGLE_CALENDAR_SYNC => [
            'outcomes' => [self::SUCCESS, self::ERROR, self::STOPPED],
            'causes' => [self::CONFIGURATION, self::EXECUTION],
            'detail' => null,
        ],
    ];

    /** Sites and user codes: 1–64 letters, digits, `_`, `.`, `-`. */
    public const NAME_PATTERN = '/^[A-Za-z0-9_.-]{1,64}$/D';
    /** Support codes: the same and `:`. */
    public const CODE_PATTERN = '/^[A-Za-z0-9_.:-]{1,64}$/D';
    /** Histo refuses events dated more than a day ahead of its clock, or before 2000. */
    private const MAX_AHEAD_SECONDS = 86400;
    private const EARLIEST_YEAR = 2000;

    /** RFC 3339 with milliseconds and the offset, as sent to Histo. */
    public readonly string $occurredAt;
    /** @var array<string, string>|null */
    public readonly ?array $detail;

    /**
     * @param array<string, string>|null $detail only for `dea_update`: ['changed' => 'code'|'amount']
     * @param \DateTimeInterface|string|null $occurredAt when the feature was used; now when null. A
     *        string must be RFC 3339 with an offset (2026-03-31T23:30:00+02:00).
     */
    public function __construct(
        public readonly string $feature,
        public readonly string $outcome,
        public readonly string $site,
        public readonly string $userCode,
        public readonly ?string $cause = null,
        public readonly ?string $code = null,
        ?array $detail = null,
        \DateTimeInterface|string|null $occurredAt = null,
    ) {
        $kind = self::TAXONOMY[$feature] ?? throw new InvalidEvent(
            'feature',
            "unknown feature '$feature' (one of " . implode(', ', array_keys(self::TAXONOMY)) . ')'
        );
        if (!in_array($outcome, $kind['outcomes'], true)) {
            throw new InvalidEvent(
                'outcome',
                "'$outcome' is not an outcome of '$feature' (one of " . implode(', ', $kind['outcomes']) . ')'
            );
        }
        if ($outcome === self::ERROR) {
            if ($cause === null) {
                throw new InvalidEvent(
                    'cause',
                    "an error of '$feature' needs a cause (one of " . implode(', ', $kind['causes']) . ')'
                );
            }
            if (!in_array($cause, $kind['causes'], true)) {
                throw new InvalidEvent(
                    'cause',
                    "'$cause' is not a cause of '$feature' (one of " . implode(', ', $kind['causes']) . ')'
                );
            }
        } elseif ($cause !== null) {
            throw new InvalidEvent('cause', "only an error has a cause, not '$outcome'");
        }
        if (!preg_match(self::NAME_PATTERN, $site)) {
            throw new InvalidEvent('site', 'must be 1 to 64 letters, digits, _, . or -');
        }
        if (!preg_match(self::NAME_PATTERN, $userCode)) {
            throw new InvalidEvent('userCode', 'must be 1 to 64 letters, digits, _, . or -');
        }
        if ($code !== null && !preg_match(self::CODE_PATTERN, $code)) {
            throw new InvalidEvent('code', 'must be 1 to 64 letters, digits, _, ., : or -');
        }
        $this->detail = self::checkDetail($feature, $kind['detail'], $detail);
        $this->occurredAt = self::checkTime($occurredAt);
    }

    /**
     * The event as Histo's API takes it, with the given id.
     *
     * @return array<string, mixed>
     */
    public function toArray(string $id): array
    {
        $event = ['id' => $id, 'feature' => $this->feature, 'outcome' => $this->outcome];
        if ($this->cause !== null) {
            $event['cause'] = $this->cause;
        }
        $event += ['site' => $this->site, 'user_code' => $this->userCode, 'occurred_at' => $this->occurredAt];
        if ($this->code !== null) {
            $event['code'] = $this->code;
        }
        if ($this->detail !== null) {
            $event['detail'] = $this->detail;
        }
        return $event;
    }

    /** The event's JSON for Histo's API, with the given id. */
    public function toJson(string $id): string
    {
        return json_encode($this->toArray($id), JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
    }

    /**
     * @param array<string, list<string>>|null $allowed
     * @param array<mixed>|null $detail
     * @return array<string, string>|null
     */
    private static function checkDetail(string $feature, ?array $allowed, ?array $detail): ?array
    {
        if ($allowed === null) {
            if ($detail !== null) {
                throw new InvalidEvent('detail', "'$feature' takes no detail");
            }
            return null;
        }
        if ($detail === null) {
            $fields = implode(', ', array_keys($allowed));
            throw new InvalidEvent('detail', "'$feature' needs a detail ($fields)");
        }
        foreach ($detail as $field => $value) {
            if (!isset($allowed[$field])) {
                throw new InvalidEvent('detail', "'$field' is not a detail of '$feature'");
            }
            if (!in_array($value, $allowed[$field], true)) {
                throw new InvalidEvent(
                    "detail.$field",
                    'must be one of ' . implode(', ', $allowed[$field])
                );
            }
        }
        foreach (array_keys($allowed) as $field) {
            if (!array_key_exists($field, $detail)) {
                throw new InvalidEvent("detail.$field", 'is required');
            }
        }
        return $detail;
    }

    private static function checkTime(\DateTimeInterface|string|null $occurredAt): string
    {
        if ($occurredAt === null) {
            $time = new \DateTimeImmutable('now');
        } elseif (is_string($occurredAt)) {
            // RFC 3339: a date, T (or t, or a space), a time with optional fraction, Z or an offset.
            if (!preg_match('/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/D', $occurredAt)) {
                throw new InvalidEvent(
                    'occurredAt',
                    'must be an RFC 3339 date and time with an offset, such as 2026-03-31T23:30:00+02:00'
                );
            }
            // PHP keeps microseconds at most.
            $text = preg_replace('/(\.\d{6})\d+/', '$1', $occurredAt);
            try {
                $time = new \DateTimeImmutable($text);
            } catch (\Exception) {
                throw new InvalidEvent('occurredAt', "'$occurredAt' is not a valid date and time");
            }
            if ($time->format('Y-m-d H:i:s') !== str_replace(['T', 't'], ' ', substr($text, 0, 19))) {
                throw new InvalidEvent('occurredAt', "'$occurredAt' is not a valid date and time");
            }
        } else {
            $time = \DateTimeImmutable::createFromInterface($occurredAt);
        }
        if ((int) $time->format('Y') < self::EARLIEST_YEAR) {
            throw new InvalidEvent('occurredAt', 'must not be before ' . self::EARLIEST_YEAR);
        }
        if ($time->getTimestamp() > time() + self::MAX_AHEAD_SECONDS) {
            throw new InvalidEvent('occurredAt', 'must not be more than a day in the future');
        }
        return $time->format('Y-m-d\TH:i:s.vP');
    }
}
