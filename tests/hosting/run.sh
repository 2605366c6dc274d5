#!/usr/bin/env bash
# Serves the built demo with the repository's own host settings (hosting/nginx.conf and
# hosting/apache.conf) on Debian's real nginx and Apache, then checks what each sends for
# every kind of file: content types, caching, CORS on the feeds, the 404 page, and the Open
# Referral UK API addresses answered as JSON without a redirect.
#   CAREPAGES_SITE=/path/to/output bash tests/hosting/run.sh   # an existing build
#   bash tests/hosting/run.sh                                 # builds the demo first
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || need+=(apache2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "nginx and apache2 are needed: apt-get install -y nginx apache2" >&2
    exit 1
  fi
fi
export PATH="$PATH:/usr/sbin"

work="$(mktemp -d "${TMPDIR:-/tmp}/carepages-hosting.XXXXXX")"
chmod 755 "$work"
if [ -z "${CAREPAGES_SITE:-}" ]; then
  echo "== building the demo sites"
  cargo run --locked --quiet -- build --today 2026-11-25 --output "$work/output" >/dev/null
  CAREPAGES_SITE="$work/output"
fi
site="$(cd "$CAREPAGES_SITE/westmoor" && pwd)"
# The servers' workers read the site as an unprivileged user.
chmod -R a+rX "$site"
d="$site"
while [ "$d" != / ]; do chmod a+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done

nginx_port=18080
apache_port=18081
stop() {
  [ -f "$work/nginx.pid" ] && nginx -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true
  [ -f "$work/apache.pid" ] && apache2 -f "$work/apache.conf" -k stop 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap stop EXIT

echo "== nginx $(nginx -v 2>&1 | sed 's/.*\///') with hosting/nginx.conf"
mkdir -p "$work/nginx-temp"
sed -e "s#listen 80;#listen 127.0.0.1:${nginx_port};#" \
    -e "s#root /srv/carepages/westmoor;#root ${site};#" \
    hosting/nginx.conf > "$work/site-nginx.conf"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $work/nginx-temp;
    proxy_temp_path $work/nginx-temp;
    fastcgi_temp_path $work/nginx-temp;
    uwsgi_temp_path $work/nginx-temp;
    scgi_temp_path $work/nginx-temp;
    include $work/site-nginx.conf;
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -t -q
nginx -p "$work" -c "$work/nginx.conf"

echo "== Apache $(apache2 -v | sed -n 's/^Server version: Apache\///p') with hosting/apache.conf"
mods=/usr/lib/apache2/modules
sed -e "s#/srv/carepages/westmoor#${site}#g" hosting/apache.conf > "$work/site-apache.conf"
cat > "$work/apache.conf" <<CONF
ServerRoot $work
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
LoadModule headers_module $mods/mod_headers.so
LoadModule rewrite_module $mods/mod_rewrite.so
Listen 127.0.0.1:${apache_port}
ServerName localhost
PidFile $work/apache.pid
ErrorLog $work/apache-error.log
TypesConfig /etc/mime.types
User www-data
Group www-data
<VirtualHost 127.0.0.1:${apache_port}>
    Include $work/site-apache.conf
</VirtualHost>
CONF
apache2 -f "$work/apache.conf" -t
apache2 -f "$work/apache.conf" -k start

for port in $nginx_port $apache_port; do
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
done

echo "== what each server sends"
CAREPAGES_HOST_SITE="$site" \
CAREPAGES_HOSTS="nginx=http://127.0.0.1:${nginx_port},apache=http://127.0.0.1:${apache_port}" \
  node --test tests/hosting/
