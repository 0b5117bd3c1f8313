/* an_export_gz.c -- a buffer gzipped (RFC 1952, zlib's deflate with a gzip
 * wrapper) onto a FILE: pprof profiles travel as .pb.gz. */
#include "an_export_pprof.h"

#include <zlib.h>

#define GZ_CHUNK 65536

static int gz_drain(z_stream *zs, unsigned char *chunk, FILE *out, int flush)
{
    int zr;
    do {
        zs->next_out = chunk;
        zs->avail_out = GZ_CHUNK;
        zr = deflate(zs, flush);
        if (zr == Z_STREAM_ERROR)
            return -1;
        size_t n = GZ_CHUNK - zs->avail_out;
        if (n && fwrite(chunk, 1, n, out) != n)
            return -1;
    } while (zs->avail_out == 0);
    return flush == Z_FINISH && zr != Z_STREAM_END ? -1 : 0;
}

int an_export_gzip(FILE *out, const void *buf, size_t len, char *err, size_t errlen)
{
    unsigned char chunk[GZ_CHUNK];
    const unsigned char *p = buf;
    z_stream zs = {0};
    int rc = 0;
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        snprintf(err, errlen, "zlib: cannot start compressing");
        return -1;
    }
    while (rc == 0) {
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        zs.next_in = (unsigned char *)p;
        zs.avail_in = n;
        p += n;
        len -= n;
        rc = gz_drain(&zs, chunk, out, len ? Z_NO_FLUSH : Z_FINISH);
        if (!len)
            break;
    }
    deflateEnd(&zs);
    if (rc != 0)
        snprintf(err, errlen, "cannot write the compressed profile");
    return rc;
}
