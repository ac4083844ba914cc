// libzip for Swift (EPUB containers): the library's header for its types, and its functions through
// a table filled with dlopen/dlsym, loaded only when an EPUB is read.
#ifndef CZIP_SHIM_H
#define CZIP_SHIM_H
#include <zip.h>
#include <dlfcn.h>

#define CZIP_FUNCTIONS(X) \
    X(zip_source_buffer_create) X(zip_source_free) X(zip_open_from_source) X(zip_discard) \
    X(zip_name_locate) X(zip_stat_index) X(zip_fopen_index) X(zip_fread) X(zip_fclose) \
    X(zip_error_init) X(zip_error_fini) X(zip_error_strerror)

typedef struct czip_table {
#define CZIP_FIELD(name) __typeof__(name) * _Nonnull name;
    CZIP_FUNCTIONS(CZIP_FIELD)
#undef CZIP_FIELD
} czip_table;

/* Fills the table once; NULL on failure, with *error naming what was missing (EPUB.swift only). */
static inline const czip_table *_Nullable czip_load(const char *_Nullable *_Nonnull error) {
    static czip_table table;
    void *h = dlopen("libzip.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) { *error = dlerror(); return 0; }
#define CZIP_SYMBOL(name) if (!(*(void **)&table.name = dlsym(h, #name))) { *error = #name; return 0; }
    CZIP_FUNCTIONS(CZIP_SYMBOL)
#undef CZIP_SYMBOL
    return &table;
}

/* zip_stat_t's fields are valid only where its mask says; these read it without Swift tracking bits. */
static inline int czip_stat_has_size(const zip_stat_t *_Nonnull st) { return (st->valid & ZIP_STAT_SIZE) != 0; }
#endif
