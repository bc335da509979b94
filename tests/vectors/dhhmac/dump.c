#include <stdio.h>
#include <string.h>
#include "mikey/exchange.h"
#include "mikey/mikey.h"
#define T0 ((uint64_t)0xe9000000u << 32)
static uint64_t clk(void *u){(void)u;return T0;}
static int rng(void *user, uint8_t *out, size_t len){uint32_t *c=user;for(size_t i=0;i<len;i++)out[i]=(uint8_t)(*c*131u+7u),(*c)++;return 0;}
static void hex(const char*n,const uint8_t*p,size_t l){printf("%s=",n);for(size_t i=0;i<l;i++)printf("%02x",p[i]);printf("\n");}
int main(void){
 static const uint8_t psk[20]="0123456789abcdefghij";
 uint32_t si=1,sr=1000;
 mikey_ctx*a=mikey_ctx_new(),*b=mikey_ctx_new();
 mikey_ctx_set_clock(a,clk,0);mikey_ctx_set_clock(b,clk,0);
 mikey_ctx_set_rng(a,rng,&si);mikey_ctx_set_rng(b,rng,&sr);
 if(mikey_ctx_set_id(a,MIKEY_ID_URI,"sip:alice@example.com",21)||mikey_ctx_set_id(b,MIKEY_ID_URI,"sip:bob@example.com",19))return 1;
 if(mikey_ctx_add_psk(a,"sip:bob@example.com",19,psk,20)||mikey_ctx_add_psk(b,"sip:alice@example.com",21,psk,20))return 1;
 mikey_srtp_policy pol; mikey_srtp_policy_default(&pol);
 mikey_cs_desc cs[2]={{0x11111111,0,0},{0x22222222,5,0}};
 mikey_offer o; mikey_offer_init(&o,MIKEY_MODE_DHHMAC); o.cs=cs;o.n_cs=2;o.policies=&pol;o.n_policies=1;o.peer_id="sip:bob@example.com";o.peer_id_len=19;
 mikey_exchange*ei,*er;uint8_t*im,*rm;size_t il,rl;
 if(mikey_initiate(a,&o,&ei,&im,&il,0)||mikey_respond(b,im,il,&er,&rm,&rl,0)||mikey_exchange_finish(ei,rm,rl,0))return 2;
 hex("imsg",im,il);hex("rmsg",rm,rl);
 for(int i=0;i<2;i++){mikey_crypto_session s;if(mikey_exchange_get_cs(ei,i,&s,0))return 3;hex("key",s.master_key,16);hex("salt",s.master_salt,14);}
 return 0;}
