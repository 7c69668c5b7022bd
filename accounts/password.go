package accounts

import (
	"crypto/rand"
	"math/big"
)

// passwordAlphabet has no look-alikes (0/O, 1/l/I), since students type the password from a
// printout or an LMS message.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// passwordLength gives about 93 bits from the 56-letter alphabet.
const passwordLength = 16

// NewPassword returns a random initial password from crypto/rand.
func NewPassword() (string, error) {
	b := make([]byte, passwordLength)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b), nil
}
