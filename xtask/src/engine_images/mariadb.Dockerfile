# MariaDB 10.11 from Debian, like the public `mysql` image with MYSQL_ALLOW_EMPTY_PASSWORD: `root` with an
# empty password from anywhere, listening on all interfaces, the server as the entrypoint. The data folder
# is initialised at build time, so the first start is the only start; "ready for connections" goes to stderr.
FROM better-auth-v2/debian:bookworm
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
RUN printf '[mysqld]\nbind-address = 0.0.0.0\nskip-name-resolve\n' > /etc/mysql/mariadb.conf.d/99-listen.cnf \
 && mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld \
 && (mariadbd --user=mysql --skip-networking &) \
 && for _ in $(seq 30); do mariadb-admin ping --silent && break; sleep 1; done \
 && mariadb -e "CREATE USER 'root'@'%' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;" \
 && mariadb-admin shutdown
EXPOSE 3306
ENTRYPOINT ["mariadbd", "--user=mysql"]
