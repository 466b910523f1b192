#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL and the media folders.
# Usage: scripts/restore.sh BACKUP_DIR   (stop the web, worker and beat services first)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: scripts/restore.sh BACKUP_DIR}
if [ -f .env ]; then set -a; . ./.env; set +a; fi
: "${DATABASE_URL:?DATABASE_URL is not set}"
url=${DATABASE_URL/#pgsql:/postgresql:}
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$url" "$src/database.dump"
for dir in "$media" "$private"; do
  name=$(basename "$dir")
  if [ -f "$src/$name.tar.gz" ]; then
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir"
    tar -C "$(dirname "$dir")" -xzf "$src/$name.tar.gz"
  fi
done
echo "restored $src into the database and media folders; run manage.py migrate if the code is newer"
