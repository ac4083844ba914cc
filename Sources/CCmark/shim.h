// libcmark (CommonMark) for Swift: the library's header for its types, and its functions through a
// table filled with dlopen/dlsym, so the library is loaded only when a Markdown document is read,
// never at program start (speaking text must not pay for document parsers).
#ifndef CCMARK_SHIM_H
#define CCMARK_SHIM_H
#include <cmark.h>
#include <dlfcn.h>

#define CCMARK_FUNCTIONS(X) \
    X(cmark_parse_document) X(cmark_node_free) X(cmark_node_get_type) X(cmark_node_get_literal) \
    X(cmark_node_get_heading_level) X(cmark_node_get_url) X(cmark_node_first_child) X(cmark_node_next) \
    X(cmark_node_get_fence_info)

/* Each field has exactly the type of the function it holds, so calls through it are type-checked. */
typedef struct ccmark_table {
#define CCMARK_FIELD(name) __typeof__(name) * _Nonnull name;
    CCMARK_FUNCTIONS(CCMARK_FIELD)
#undef CCMARK_FIELD
} ccmark_table;

/* Fills the table once; NULL on failure, with *error naming what was missing. Only one Swift file
 * calls it (Markdown.swift), so its static table exists once. */
static inline const ccmark_table *_Nullable ccmark_load(const char *_Nullable *_Nonnull error) {
    static ccmark_table table;
    void *h = dlopen("libcmark.so.0.30.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libcmark.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) { *error = dlerror(); return 0; }
#define CCMARK_SYMBOL(name) if (!(*(void **)&table.name = dlsym(h, #name))) { *error = #name; return 0; }
    CCMARK_FUNCTIONS(CCMARK_SYMBOL)
#undef CCMARK_SYMBOL
    return &table;
}
#endif
