#!/usr/bin/env bash
# Back up the database (pg_dump, custom format) and the uploaded files into DEST/<timestamp>/.
# Usage: scripts/backup.sh DEST [KEEP_DAYS]
# Reads DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT from the environment or .env.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/backup.sh DEST [KEEP_DAYS]}
keep=${2:-14}
if [ -f .env ]; then set -a; . ./.env; set +a; fi
: "${DATABASE_URL:?DATABASE_URL is not set (backups are for the PostgreSQL production database)}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*|pgsql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; copy var/kotapintar.sqlite3 instead" >&2; exit 2 ;;
esac
url=${DATABASE_URL/#pgsql:/postgresql:}
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out="$dest/$stamp"
mkdir -p "$out"
pg_dump --format=custom --no-owner --dbname="$url" --file="$out/database.dump"
for dir in "$media" "$private"; do
  name=$(basename "$dir")
  if [ -d "$dir" ]; then tar -C "$(dirname "$dir")" -czf "$out/$name.tar.gz" "$name"; fi
done
(cd "$out" && sha256sum -- * > SHA256SUMS)
echo "backup written to $out"
find "$dest" -mindepth 1 -maxdepth 1 -type d -mtime +"$keep" -exec rm -rf {} + 2>/dev/null || true
