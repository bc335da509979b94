#!/usr/bin/env bash
# Test PKI for the public-key, DH-signed and RSA-R modes. Run once; the
# output is committed so tests never depend on the clock of the day they
# were made. Tests use a fixed clock in 2023, inside every "valid" window.
#   ca.pem / ca.key           trust anchor              2020-01-01 .. 2040-01-01
#   alice.pem / alice.key     SAN URI sip:alice@example.com, CN alice
#   bob.pem / bob.key         SAN URI sip:bob@example.com,   CN bob
#   expired.pem / .key        sip:carol@example.com, valid 2015 .. 2016
#   rogue-ca.pem, rogue.pem/.key  sip:alice@example.com, issued by an untrusted CA
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ca_setup() { # name
	mkdir -p "$work/$1"
	: >"$work/$1/index.txt"
	echo 1000 >"$work/$1/serial"
	cat >"$work/$1/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
dir = $work/$1
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = p
unique_subject = no
copy_extensions = copy
[p]
commonName = supplied
CNF
}

root() { # name subject: self-signed through "openssl ca" so the dates are fixed
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$work/$1.csr" -subj "/CN=$2" 2>/dev/null
	cat >"$work/$1.ext" <<EXT
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
EXT
	openssl ca -batch -selfsign -config "$work/$1/ca.cnf" -keyfile "$1.key" -in "$work/$1.csr" \
		-out "$work/$1.crt" -startdate 20200101000000Z -enddate 20400101000000Z -notext \
		-extfile "$work/$1.ext" 2>/dev/null
	openssl x509 -in "$work/$1.crt" -out "$1.pem"
}

leaf() { # caname cafile name cn san start end
	openssl req -new -newkey rsa:2048 -nodes -keyout "$3.key" -out "$work/$3.csr" -subj "/CN=$4" \
		-addext "subjectAltName=$5" 2>/dev/null
	openssl ca -batch -config "$work/$1/ca.cnf" -cert "$2.pem" -keyfile "$2.key" -in "$work/$3.csr" \
		-out "$work/$3.crt" -startdate "$6" -enddate "$7" -notext 2>/dev/null
	openssl x509 -in "$work/$3.crt" -out "$3.pem"
}

ca_setup main
ca_setup rogue
root main "MIKEY test CA"
mv main.pem ca.pem; mv main.key ca.key
root rogue "Rogue CA"
mv rogue.pem rogue-ca.pem; mv rogue.key rogue-ca.key
leaf main ca alice alice "URI:sip:alice@example.com" 20200101000000Z 20400101000000Z
leaf main ca bob bob "URI:sip:bob@example.com" 20200101000000Z 20400101000000Z
leaf main ca expired carol "URI:sip:carol@example.com" 20150101000000Z 20160101000000Z
leaf rogue rogue-ca rogue alice "URI:sip:alice@example.com" 20200101000000Z 20400101000000Z
echo "made: $(ls *.pem | tr '\n' ' ')"
