<?php

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'Histo\\Client\\Tests\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

foreach (['curl', 'json', 'pdo_sqlite', 'openssl'] as $extension) {
    if (!extension_loaded($extension)) {
        fwrite(STDERR, "The tests need PHP's $extension extension (scripts/setup-php.sh installs them)\n");
        exit(1);
    }
}
date_default_timezone_set('Europe/Paris');
