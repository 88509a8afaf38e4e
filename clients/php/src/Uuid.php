<?php

declare(strict_types=1);

namespace Histo\Client;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix time in milliseconds, then 12 bits that count up within the
 * same millisecond in this process (so ids made here stay in order), then 62 random bits.
 */
final class Uuid
{
    private static int $lastMs = 0;
    private static int $counter = 0;

    public static function v7(): string
    {
        $ms = (int) floor(microtime(true) * 1000);
        if ($ms <= self::$lastMs) {
            $ms = self::$lastMs;
            self::$counter++;
            if (self::$counter > 0xFFF) {
                $ms++;
                self::$counter = 0;
            }
        } else {
            self::$counter = random_int(0, 0x1FF);
        }
        self::$lastMs = $ms;
        $random = random_bytes(8);
        $bytes = substr(pack('J', $ms), 2, 6)               // 48 bits of time, big-endian
            . chr(0x70 | (self::$counter >> 8)) . chr(self::$counter & 0xFF)
            . chr(0x80 | (ord($random[0]) & 0x3F)) . substr($random, 1);
        $hex = bin2hex($bytes);
        return substr($hex, 0, 8) . '-' . substr($hex, 8, 4) . '-' . substr($hex, 12, 4) . '-'
            . substr($hex, 16, 4) . '-' . substr($hex, 20, 12);
    }

    /** The time in an UUIDv7, in milliseconds since the Unix epoch. */
    public static function milliseconds(string $uuid): int
    {
        return (int) hexdec(str_replace('-', '', substr($uuid, 0, 13)));
    }
}
