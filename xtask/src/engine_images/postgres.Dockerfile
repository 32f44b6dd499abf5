# PostgreSQL 15 from Debian, like the public `postgres` image with POSTGRES_HOST_AUTH_METHOD=trust: user
# `postgres`, trust from anywhere, listening on all interfaces, `postgres` as the entrypoint (so arguments
# such as `-c fsync=off` work as they do there). The ready line goes to stderr.
FROM better-auth-v2/debian:bookworm
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:$PATH
RUN mkdir -p "$PGDATA" /var/run/postgresql \
 && chown -R postgres:postgres "$PGDATA" /var/run/postgresql
USER postgres
RUN initdb --username=postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
 && echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf" \
 && echo "host all all ::/0 trust" >> "$PGDATA/pg_hba.conf" \
 && echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres"]
