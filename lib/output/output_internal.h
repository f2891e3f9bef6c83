/* gicsim: helpers shared by the output writers (output*.c). Not installed.
 *
 * All number formatting goes through integer conversions (never %f/%g), so
 * the outputs do not depend on the host's locale. */
#ifndef GICSIM_OUTPUT_INTERNAL_H
#define GICSIM_OUTPUT_INTERNAL_H

#include <gicsim/output.h>

#include <stdio.h>

/* A growable string; on allocation failure `oom` is set and appends stop. */
typedef struct out_buf {
    char *p;
    size_t len, cap;
    bool oom;
} out_buf;

void out_buf_free(out_buf *b);
void out_buf_reset(out_buf *b);
void out_put(out_buf *b, const char *s, size_t n);
void out_puts(out_buf *b, const char *s);
void out_putc(out_buf *b, char c);
void out_u64(out_buf *b, uint64_t v);
void out_i64(out_buf *b, int64_t v);
/* `v` / 10^decimals with exactly `decimals` digits after the point (0..18). */
void out_fixed(out_buf *b, int64_t v, unsigned decimals);
void out_ufixed(out_buf *b, uint64_t v, unsigned decimals);
/* `x` rounded half away from zero to `decimals` digits (0..9). */
void out_double(out_buf *b, double x, unsigned decimals);
/* Picoseconds as nanoseconds with 3 decimals / microseconds with 6. */
void out_ps_ns(out_buf *b, uint64_t ps);
void out_ps_us(out_buf *b, uint64_t ps);
/* A JSON string literal (quotes included); NULL gives null. */
void out_json_str(out_buf *b, const char *s);
/* XML text / attribute content, escaped. */
void out_xml(out_buf *b, const char *s);
/* Write the whole buffer; false on error or when the buffer ran out of memory. */
bool out_write(out_buf *b, FILE *f);

/* Names from the info, or the defaults "src<i>" / "vm<i>" formatted into
 * `tmp` (at least 32 bytes). */
const char *out_source_name(const gicsim_output_info *info, uint32_t i, char *tmp);
const char *out_vm_name(const gicsim_output_info *info, uint32_t i, char *tmp);
/* Picks the source name for JSON keys: like out_source_name, with "#<i>"
 * appended when an earlier source has the same name. Returns a malloc'd
 * string or NULL (out of memory). */
char *out_unique_source_name(const gicsim_output_info *info, uint32_t n, uint32_t i);

/* A deep copy of `info` for a writer that writes during the run (names,
 * scenario and policy; not the resolved configuration): NULL for NULL or out
 * of memory. out_info_free(NULL) does nothing. */
gicsim_output_info *out_info_copy(const gicsim_output_info *info);
void out_info_free(gicsim_output_info *info);

/* A copy of `s` (malloc), NULL for NULL or out of memory. */
char *out_strdup(const char *s);

bool out_path_ends_with(const char *path, const char *suffix);

/* The built-in writers, in table order. */
extern const gicsim_output_ops gicsim_output_json_ops;
extern const gicsim_output_ops gicsim_output_csv_ops;
extern const gicsim_output_ops gicsim_output_perfetto_ops;
extern const gicsim_output_ops gicsim_output_vcd_ops;
extern const gicsim_output_ops gicsim_output_cdf_ops;

#endif
