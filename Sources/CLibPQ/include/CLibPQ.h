#ifndef KGLOG_CLIBPQ_H
#define KGLOG_CLIBPQ_H

// libpq's declarations, from Debian's libpq-dev (or a libpq-fe.h on the include path).
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

/// Loads libpq (libpq.so.5) the first time it is called, from any thread. Returns NULL once it is
/// loaded with every function kglog calls, or a message saying why it could not be.
///
/// kglog is not linked with libpq: loading it and the twenty libraries it needs (Kerberos,
/// LDAP, TLS) costs every process about 5 ms, and most processes open a SQLite file. The PQ
/// functions declared above are defined by this target and call libpq's once it is loaded;
/// `PQconnectdb` loads it (and returns NULL when it cannot), the others are reached only
/// through a connection.
const char *kglog_libpq_load(void);

#endif
