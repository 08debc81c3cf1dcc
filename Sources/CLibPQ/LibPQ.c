#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Every libpq function kglog calls: return type, name, parameters, arguments.
#define LIBPQ_FUNCTIONS(X, VOID) \
    X(int, PQcancel, (PGcancel *cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
    VOID(PQclear, (PGresult *res), (res)) \
    X(char *, PQcmdTuples, (PGresult *res), (res)) \
    X(int, PQconsumeInput, (PGconn *conn), (conn)) \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
    X(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query)) \
    X(PGresult *, PQexecParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, \
                                 const char *const *paramValues, const int *paramLengths, const int *paramFormats, \
                                 int resultFormat), \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    VOID(PQfinish, (PGconn *conn), (conn)) \
    X(char *, PQfname, (const PGresult *res, int field_num), (res, field_num)) \
    VOID(PQfreeCancel, (PGcancel *cancel), (cancel)) \
    X(PGcancel *, PQgetCancel, (PGconn *conn), (conn)) \
    X(PGresult *, PQgetResult, (PGconn *conn), (conn)) \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(int, PQisBusy, (PGconn *conn), (conn)) \
    X(int, PQnfields, (const PGresult *res), (res)) \
    X(int, PQntuples, (const PGresult *res), (res)) \
    X(int, PQputCopyData, (PGconn *conn, const char *buffer, int nbytes), (conn, buffer, nbytes)) \
    X(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg)) \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
    X(int, PQsendQueryParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, \
                               const char *const *paramValues, const int *paramLengths, const int *paramFormats, \
                               int resultFormat), \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg)) \
    X(int, PQsocket, (const PGconn *conn), (conn)) \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))

// A pointer to libpq's function per function, set by `load`.
#define POINTER(type, name, parameters, arguments) static type (*libpq_##name) parameters;
#define VOID_POINTER(name, parameters, arguments) static void (*libpq_##name) parameters;
LIBPQ_FUNCTIONS(POINTER, VOID_POINTER)
static PGconn *(*libpq_PQconnectdb)(const char *conninfo);

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static int loadFailed = 0;
static char loadError[512];

static void load(void) {
#ifdef __APPLE__
    static const char *const names[] = {"libpq.5.dylib", "libpq.dylib"};
#else
    static const char *const names[] = {"libpq.so.5", "libpq.so"};
#endif
    // KGLOG_LIBPQ names another libpq to load (a path, or a name the loader searches for).
    const char *chosen = getenv("KGLOG_LIBPQ");
    void *library = NULL;
    if (chosen != NULL && *chosen != '\0') {
        library = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t index = 0; index < sizeof names / sizeof *names && library == NULL; index++) {
            library = dlopen(names[index], RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(loadError, sizeof loadError, "cannot load libpq, PostgreSQL's client library (%s); install it (Debian: libpq5)",
                 reason ? reason : "not found");
        loadFailed = 1;
        return;
    }
#define RESOLVE(name)                                                                                   \
    if ((*(void **)&libpq_##name = dlsym(library, #name)) == NULL) {                                    \
        snprintf(loadError, sizeof loadError, "the libpq found has no function %s: it is too old", #name); \
        loadFailed = 1;                                                                                 \
        return;                                                                                         \
    }
#define RESOLVE_FUNCTION(type, name, parameters, arguments) RESOLVE(name)
#define RESOLVE_VOID(name, parameters, arguments) RESOLVE(name)
    LIBPQ_FUNCTIONS(RESOLVE_FUNCTION, RESOLVE_VOID)
    RESOLVE(PQconnectdb)
}

const char *kglog_libpq_load(void) {
    pthread_once(&loaded, load);
    return loadFailed ? loadError : NULL;
}

PGconn *PQconnectdb(const char *conninfo) {
    return kglog_libpq_load() == NULL ? libpq_PQconnectdb(conninfo) : NULL;
}

// The others: only reached through a connection, so libpq is loaded.
#define FORWARD(type, name, parameters, arguments) type name parameters { return libpq_##name arguments; }
#define FORWARD_VOID(name, parameters, arguments) void name parameters { libpq_##name arguments; }
LIBPQ_FUNCTIONS(FORWARD, FORWARD_VOID)
