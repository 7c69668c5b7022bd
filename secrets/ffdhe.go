package secrets

import (
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
)

// ffdhe2048Prime is p of the ffdhe2048 group, RFC 7919 appendix A.1, as the RFC prints it. The
// generator is 2. A fixed, published group is what Mozilla's TLS guidelines recommend: it is as
// safe as a fresh one and takes no minutes of `openssl dhparam` to make.
const ffdhe2048Prime = `
	FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
	D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
	7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
	2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
	984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
	30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
	B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
	0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
	9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
	3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
	886B4238 61285C97 FFFFFFFF FFFFFFFF`

// pemDHParams is the PEM block type OpenSSL and nginx read DH parameters from (PKCS #3).
const pemDHParams = "DH PARAMETERS"

// pemX942DHParams is what `openssl dhparam -dsaparam` writes (X9.42 DomainParameters: p, g, q
// and optional fields); nginx's ssl_dhparam reads it too.
const pemX942DHParams = "X9.42 DH PARAMETERS"

// MinDHBits is the smallest DH prime hubgen accepts: below 2048 bits, Logjam-era weak.
const MinDHBits = 2048

// dhParams is PKCS #3's DHParameter: SEQUENCE { prime, base, privateValueLength OPTIONAL }.
type dhParams struct {
	P, G   *big.Int
	Length int `asn1:"optional"`
}

// ffdhe2048 is the group, read from ffdhe2048Prime when first needed.
var ffdhe2048 = sync.OnceValue(func() dhParams {
	p, ok := new(big.Int).SetString(strings.Join(strings.Fields(ffdhe2048Prime), ""), 16)
	if !ok {
		panic("secrets: ffdhe2048Prime is not hex")
	}
	return dhParams{P: p, G: big.NewInt(2)}
})

// FFDHE2048 returns RFC 7919's ffdhe2048 group as a PEM "DH PARAMETERS" block, what
// `openssl dhparam` writes and nginx's ssl_dhparam reads.
func FFDHE2048() []byte {
	der, err := asn1.Marshal(struct{ P, G *big.Int }{ffdhe2048().P, ffdhe2048().G})
	if err != nil {
		panic("secrets: encode ffdhe2048: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemDHParams, Bytes: der})
}

// x942Params is X9.42's DomainParameters: SEQUENCE { p, g, q, j OPTIONAL, validationParms
// OPTIONAL }. Only p and g matter here; the rest is kept as raw values.
type x942Params struct {
	P, G, Q *big.Int
	Rest    []asn1.RawValue `asn1:"optional"`
}

// parseDHParams reads the first "DH PARAMETERS" or "X9.42 DH PARAMETERS" block of a PEM file, as
// nginx does, and checks that it is a usable group. It returns a description such as "2048-bit
// group ffdhe2048".
func parseDHParams(data []byte) (string, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return "", errors.New(`has no PEM "DH PARAMETERS" or "X9.42 DH PARAMETERS" block (write RFC 7919's ffdhe2048 with hubgen secrets)`)
		}
		var params dhParams
		var trailing []byte
		var err error
		switch block.Type {
		case pemDHParams:
			trailing, err = asn1.Unmarshal(block.Bytes, &params)
		case pemX942DHParams:
			var x x942Params
			trailing, err = asn1.Unmarshal(block.Bytes, &x)
			params = dhParams{P: x.P, G: x.G}
		default:
			continue
		}
		if err != nil {
			return "", fmt.Errorf("has a %s block that does not parse: %v", block.Type, err)
		} else if len(trailing) > 0 {
			return "", fmt.Errorf("has a %s block with trailing data", block.Type)
		}
		bits := params.P.BitLen()
		pMinus1 := new(big.Int).Sub(params.P, big.NewInt(1))
		switch {
		case params.P.Sign() <= 0 || params.P.Bit(0) == 0:
			return "", errors.New("has a DH prime that is not an odd positive number")
		case params.G.Cmp(big.NewInt(2)) < 0 || params.G.Cmp(pMinus1) >= 0:
			return "", errors.New("has a DH generator outside 2..p-2")
		case bits < MinDHBits:
			return "", fmt.Errorf("has a %d-bit DH prime (at least %d bits)", bits, MinDHBits)
		}
		if params.P.Cmp(ffdhe2048().P) == 0 && params.G.Cmp(ffdhe2048().G) == 0 {
			return "2048-bit group ffdhe2048", nil
		}
		return fmt.Sprintf("%d-bit DH prime", bits), nil
	}
}
