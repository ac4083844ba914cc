// libxml2 for Swift (HTML, XHTML and EPUB's XML), loaded with dlopen only when such a document is
// read: libxml2 brings ICU, whose loading would otherwise cost every run at start.
//
// Its headers live in /usr/include/libxml2, which a system-library target cannot put on the include
// path without also linking the library (pkg-config), so the few declarations used are written here.
// The node and attribute structs are declared only as far as the fields read, which are the leading
// fields of libxml2's own structs, unchanged since 2.0 (Tests/DocumentsTests checks the offsets
// against the real headers when they are installed).
#ifndef CXML2_SHIM_H
#define CXML2_SHIM_H
#include <dlfcn.h>

typedef unsigned char cxml_char;

enum { CXML_ELEMENT_NODE = 1, CXML_TEXT_NODE = 3, CXML_CDATA_SECTION_NODE = 4 };

struct cxml_attr;
typedef struct cxml_node {
    void *_Nullable _private;
    int type;
    const cxml_char *_Nullable name;
    struct cxml_node *_Nullable children;
    struct cxml_node *_Nullable last;
    struct cxml_node *_Nullable parent;
    struct cxml_node *_Nullable next;
    struct cxml_node *_Nullable prev;
    void *_Nullable doc;
    void *_Nullable ns;
    cxml_char *_Nullable content;
    struct cxml_attr *_Nullable properties;
} cxml_node;

typedef struct cxml_attr {
    void *_Nullable _private;
    int type;
    const cxml_char *_Nullable name;
    struct cxml_node *_Nullable children;
    struct cxml_node *_Nullable last;
    struct cxml_node *_Nullable parent;
    struct cxml_attr *_Nullable next;
} cxml_attr;

typedef struct cxml_doc cxml_doc;

/* Parser options (HTMLparser.h, parser.h): recover from bad markup, no error or warning output, and
 * never the network. Entities are not substituted (no XXE), and libxml2's size limits stay on. */
enum {
    CXML_HTML_OPTIONS = 1 /* RECOVER */ | 32 /* NOERROR */ | 64 /* NOWARNING */ | 2048 /* NONET */,
    CXML_XML_OPTIONS = 1 /* RECOVER */ | 32 /* NOERROR */ | 64 /* NOWARNING */ | 2048 /* NONET */,
};

typedef struct cxml_table {
    cxml_doc *_Nullable (*_Nonnull htmlReadMemory)(const char *_Nonnull, int, const char *_Nullable, const char *_Nullable, int);
    cxml_doc *_Nullable (*_Nonnull xmlReadMemory)(const char *_Nonnull, int, const char *_Nullable, const char *_Nullable, int);
    cxml_node *_Nullable (*_Nonnull xmlDocGetRootElement)(const cxml_doc *_Nonnull);
    void (*_Nonnull xmlFreeDoc)(cxml_doc *_Nonnull);
} cxml_table;

/* Fills the table once; NULL on failure, with *error naming what was missing (XML.swift only). */
static inline const cxml_table *_Nullable cxml_load(const char *_Nullable *_Nonnull error) {
    static cxml_table table;
    void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) { *error = dlerror(); return 0; }
#define CXML_SYMBOL(name) if (!(*(void **)&table.name = dlsym(h, #name))) { *error = #name; return 0; }
    CXML_SYMBOL(htmlReadMemory) CXML_SYMBOL(xmlReadMemory) CXML_SYMBOL(xmlDocGetRootElement) CXML_SYMBOL(xmlFreeDoc)
#undef CXML_SYMBOL
    return &table;
}
#endif
