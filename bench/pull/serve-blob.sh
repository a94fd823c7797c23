#!/usr/bin/env bash
# Sourced by bench/pull.sh and bench/pull/paired.sh: writes a BYTES-byte GGUF file under $WORK/www and serves it with
# nginx (one worker, sendfile) on a free loopback port. Sets HEX (its sha256) and URL; nginx's pid file is
# $WORK/nginx/nginx.pid for the caller's cleanup. Needs WORK, BYTES, NGINX, AIXCL_JDK_JAVA and bench/common.sh.

# nginx's workers run as nobody: the served folder must be readable to them.
chmod 755 "$WORK"
mkdir -p "$WORK/www" "$WORK/nginx"
log "writing a $BYTES-byte GGUF file"
"$AIXCL_JDK_JAVA" "$BENCH_DIR/pull/GgufBlob.java" "$WORK/www/model.gguf" "$BYTES"
# shellcheck disable=SC2034 # used by the sourcing script
HEX="$(sha256sum "$WORK/www/model.gguf" | cut -d' ' -f1)"

PORT="$(free_ports 1)"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        root $WORK/www;
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
URL="http://127.0.0.1:$PORT/model.gguf"
for ((i = 0; i < 100; i++)); do
    curl -s -f -o /dev/null -r 0-0 "$URL" && break
    sleep 0.05
done
