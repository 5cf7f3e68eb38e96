#ifndef SANSANG_COPENSSL_SHIM_H
#define SANSANG_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ocsp.h>
#include <openssl/bn.h>

// Each wrapper exists because the OpenSSL call is a macro (or a variadic ctrl) Swift cannot see.

static inline long sansang_SSL_set_tlsext_host_name(SSL *s, const char *name) { return SSL_set_tlsext_host_name(s, name); }
static inline long sansang_SSL_set_tlsext_status_type_ocsp(SSL *s) { return SSL_set_tlsext_status_type(s, TLSEXT_STATUSTYPE_ocsp); }
static inline long sansang_SSL_get_tlsext_status_ocsp_resp(SSL *s, const unsigned char **resp) { return SSL_get_tlsext_status_ocsp_resp(s, resp); }
static inline long sansang_SSL_get_secure_renegotiation_support(SSL *s) { return SSL_get_secure_renegotiation_support(s); }
static inline int sansang_SSL_CTX_set_min_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_min_proto_version(c, v); }
static inline int sansang_SSL_CTX_set_max_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_max_proto_version(c, v); }
static inline int sansang_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
static inline X509 *sansang_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
static inline STACK_OF(X509) *sansang_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int sansang_sk_X509_push(STACK_OF(X509) *sk, X509 *x) { return sk_X509_push(sk, x); }
static inline void sansang_sk_X509_pop_free(STACK_OF(X509) *sk) { sk_X509_pop_free(sk, X509_free); }
static inline int sansang_sk_GENERAL_NAME_num(const STACK_OF(GENERAL_NAME) *sk) { return sk_GENERAL_NAME_num(sk); }
static inline GENERAL_NAME *sansang_sk_GENERAL_NAME_value(const STACK_OF(GENERAL_NAME) *sk, int i) { return sk_GENERAL_NAME_value(sk, i); }
static inline void sansang_GENERAL_NAMES_free(STACK_OF(GENERAL_NAME) *sk) { GENERAL_NAMES_free(sk); }
static inline int sansang_SSL_set_app_flag(SSL *s, void *p) { return SSL_set_ex_data(s, 0, p); }
static inline void *sansang_SSL_get_app_flag(const SSL *s) { return SSL_get_ex_data(s, 0); }
static inline long sansang_SSL_CTX_set_options(SSL_CTX *c, long opts) { return (long)SSL_CTX_set_options(c, (uint64_t)opts); }
static inline long sansang_SSL_OP_LEGACY_SERVER_CONNECT(void) { return (long)SSL_OP_LEGACY_SERVER_CONNECT; }
static inline long sansang_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION(void) { return (long)SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION; }
static inline long sansang_SSL_OP_NO_TICKET(void) { return (long)SSL_OP_NO_TICKET; }
static inline unsigned long sansang_XN_FLAG_RFC2253_UTF8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
static inline int sansang_BIO_get_mem_data(BIO *b, char **pp) { return (int)BIO_get_mem_data(b, pp); }

// The client-certificate callback records that the server asked for one, and answers with none.
static inline int sansang_client_cert_cb(SSL *s, X509 **x509, EVP_PKEY **pkey) {
    int *flag = (int *)SSL_get_ex_data(s, 0);
    if (flag) { *flag = 1; }
    return 0;
}
static inline void sansang_SSL_CTX_record_client_cert_requests(SSL_CTX *c) { SSL_CTX_set_client_cert_cb(c, sansang_client_cert_cb); }
#endif
