/* gicsim: event traces.
 *
 * A trace is the workload of a run as a time-ordered list of source events:
 * a real system's interrupt arrivals can drive a simulation, and a simulated
 * run can be recorded and replayed to identical results. The file format is
 * described in docs/traces.md; in short, one event per line:
 *
 *     #gicsim-trace 1
 *     <time-ps> <source-name> fire
 *
 * Files whose name ends in ".gz" are written gzip-compressed; on reading,
 * gzip is recognised by its magic bytes whatever the name. The path "-" means
 * standard input (reader) or standard output (writer, always plain text).
 */
#ifndef GICSIM_TRACE_H
#define GICSIM_TRACE_H

#include <gicsim/common.h>
#include <gicsim/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an event does to its source. Further kinds (e.g. `level 0|1`) may be
 * added after the existing ones. */
typedef enum gicsim_trace_kind {
    GICSIM_TRACE_FIRE /* "fire": one arrival of the source (gicsim_source_trigger) */
} gicsim_trace_kind;

/* The text of an event kind as written in a trace ("fire"), NULL if unknown. */
GICSIM_API const char *gicsim_trace_kind_name(gicsim_trace_kind kind);

/* ---- Reading ------------------------------------------------------------------ */

typedef struct gicsim_trace_reader gicsim_trace_reader;

typedef struct gicsim_trace_event {
    gicsim_time_t time; /* picoseconds */
    const char *source; /* NUL-terminated; valid until the next call on the reader */
    gicsim_trace_kind kind;
} gicsim_trace_event;

/* Open a trace for reading (plain or gzip, detected by content).
 * GICSIM_E_INVAL for NULL arguments, GICSIM_E_IO when the file cannot be
 * opened, GICSIM_E_NOMEM. The reader holds one block of the file (64 KiB, and
 * as much decompressed data) whatever the file's length. */
GICSIM_API gicsim_status gicsim_trace_open(const char *path, gicsim_trace_reader **out);

/* The next event:
 *   GICSIM_OK          `*ev` is filled in;
 *   GICSIM_E_NOTFOUND  end of the trace (returned again by later calls);
 *   GICSIM_E_PARSE     a malformed line, time going backwards, or corrupt or
 *                      truncated gzip data;
 *   GICSIM_E_IO        reading the file failed.
 * After an error, gicsim_trace_error_line/message tell where and why, and
 * every later call returns the same error. */
GICSIM_API gicsim_status gicsim_trace_next(gicsim_trace_reader *r, gicsim_trace_event *ev);

/* 1-based line of the error (for a read or gzip error, the line being read);
 * 0 when there is none. */
GICSIM_API unsigned long gicsim_trace_error_line(const gicsim_trace_reader *r);
/* Static or reader-owned description of the last error; "" when none. */
GICSIM_API const char *gicsim_trace_error_message(const gicsim_trace_reader *r);

/* Number of lines consumed so far (including blank and comment lines). */
GICSIM_API unsigned long gicsim_trace_line(const gicsim_trace_reader *r);

GICSIM_API void gicsim_trace_close(gicsim_trace_reader *r);

/* ---- Writing ------------------------------------------------------------------ */

typedef struct gicsim_trace_writer gicsim_trace_writer;

/* Create (truncate) a trace file; gzip-compressed when `path` ends in ".gz".
 * The first line written is the version header "#gicsim-trace 1".
 * GICSIM_E_IO when the file cannot be created. */
GICSIM_API gicsim_status gicsim_trace_create(const char *path, gicsim_trace_writer **out);

/* Append one event. GICSIM_E_INVAL for a source name outside [A-Za-z0-9_.-]+
 * (or longer than 1024 bytes), an unknown kind, or a time before the previous
 * event's. GICSIM_E_IO when a write failed (the error sticks: every later
 * write and gicsim_trace_finish return it). */
GICSIM_API gicsim_status gicsim_trace_write(gicsim_trace_writer *w, gicsim_time_t time,
                                            const char *source, gicsim_trace_kind kind);

/* Flush, close and free the writer; returns the first write error, if any
 * (GICSIM_E_IO), else GICSIM_OK. NULL is a no-op returning GICSIM_OK. */
GICSIM_API gicsim_status gicsim_trace_finish(gicsim_trace_writer *w);

/* ---- Replaying a trace into a system ------------------------------------------ */

/* Source names map to system source indices through `names`: names[i] is the
 * name of source i (n entries, n <= number of sources; a NULL entry is a
 * source the trace cannot name). Events are streamed: only the next event is
 * held and scheduled on the system's engine, so a trace of millions of events
 * uses constant memory. Each `fire` calls gicsim_source_trigger(sys, i) at the
 * event's time.
 *
 * attach returns GICSIM_E_INVAL (NULL sys/r/out, n larger than the number of
 * sources, a name outside [A-Za-z0-9_.-]+), GICSIM_E_EXISTS (a name given
 * twice) or GICSIM_E_NOMEM; the first event is read at once. Problems in the
 * trace itself do not fail attach: they end the replay at the bad line and are
 * reported by gicsim_trace_replay_status (check it after attach and after the
 * run), with gicsim_trace_error_line/message on the reader telling where. */
typedef struct gicsim_trace_replay gicsim_trace_replay;

GICSIM_API gicsim_status gicsim_trace_replay_attach(gicsim_system *sys, gicsim_trace_reader *r,
                                                    const char *const *names, size_t n,
                                                    gicsim_trace_replay **out);

/* GICSIM_OK so far (including once the whole trace has been replayed), else:
 *   the reader's error (GICSIM_E_PARSE, GICSIM_E_IO) for a malformed trace;
 *   GICSIM_E_NOTFOUND  an event names a source not in `names`;
 *   GICSIM_E_RANGE     the first event is earlier than the engine's time at attach;
 *   the status of gicsim_source_trigger when it refused the event (e.g.
 *   GICSIM_E_INVAL for a virtual-timer source). */
GICSIM_API gicsim_status gicsim_trace_replay_status(const gicsim_trace_replay *rp);

/* True once the trace's end was reached and every event was replayed. */
GICSIM_API bool gicsim_trace_replay_done(const gicsim_trace_replay *rp);

/* Events replayed (triggers made) so far. */
GICSIM_API uint64_t gicsim_trace_replay_count(const gicsim_trace_replay *rp);

/* Free the replay. Does not close the reader. While the replay has not finished
 * (gicsim_trace_replay_done false and status OK) an event of it is still
 * scheduled: the engine must not run again after this call. */
GICSIM_API void gicsim_trace_replay_free(gicsim_trace_replay *rp);

/* ---- Recording a system's arrivals -------------------------------------------- */

/* Registers a system observer (one of the system's 8) that writes a `fire`
 * line to `w` for every GICSIM_SEV_ARRIVAL event of a source i < n with a
 * name (names[i] non-NULL); other sources are not recorded. The names are
 * copied. Errors: GICSIM_E_INVAL (NULL sys/w/out, a bad name), GICSIM_E_EXISTS
 * (a name given twice), GICSIM_E_FULL (no observer slot left), GICSIM_E_NOMEM.
 * The writer stays the caller's: finish it after the run. */
typedef struct gicsim_trace_recorder gicsim_trace_recorder;

GICSIM_API gicsim_status gicsim_trace_record(gicsim_system *sys, gicsim_trace_writer *w,
                                             const char *const *names, size_t n,
                                             gicsim_trace_recorder **out);

/* GICSIM_OK, or the first error of a write (then recording stopped). */
GICSIM_API gicsim_status gicsim_trace_recorder_status(const gicsim_trace_recorder *rc);

/* Events written so far. */
GICSIM_API uint64_t gicsim_trace_recorder_count(const gicsim_trace_recorder *rc);

/* The system observer stays registered (systems have no way to remove one):
 * free the recorder only after the system is destroyed or will not run again. */
GICSIM_API void gicsim_trace_recorder_free(gicsim_trace_recorder *rc);

#ifdef __cplusplus
}
#endif

#endif
