package testkit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator is a software passkey for tests: an ECDSA P-256 key that
// answers WebAuthn options as a browser and a platform authenticator
// would, with "none" attestation. Its fields may be changed between
// ceremonies to act as a forged or copied passkey.
type Authenticator struct {
	Origin       string // written into the client data; the site's origin unless changed
	RPID         string
	CredentialID []byte
	UserHandle   []byte // learnt when the passkey is created
	Counter      uint32 // the last signature count given; the next is one more
	Counting     bool   // false: every signature carries 0, as many synced passkeys do
	key          *ecdsa.PrivateKey
}

// NewAuthenticator makes a passkey for the site at baseURL.
func NewAuthenticator(t testing.TB, baseURL string) *Authenticator {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &Authenticator{Origin: u.Scheme + "://" + u.Host, RPID: u.Hostname(), CredentialID: id, Counting: true, key: key}
}

var b64 = base64.RawURLEncoding

// options are the parts of creation or request options the authenticator
// reads, as the begin routes give them.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func readOptions(t testing.TB, raw []byte) options {
	t.Helper()
	var o options
	if err := json.Unmarshal(raw, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("passkey options without a challenge (%v): %s", err, raw)
	}
	return o
}

func (a *Authenticator) clientData(kind, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data: the RP ID's hash, flags (present,
// verified, backed up and eligible), the count, and what follows.
func (a *Authenticator) authData(flags byte, rest []byte) []byte {
	h := sha256.Sum256([]byte(a.RPID))
	out := append(h[:], flags|0x01|0x04|0x08|0x10)
	var n [4]byte
	if a.Counting {
		binary.BigEndian.PutUint32(n[:], a.Counter)
	}
	out = append(out, n[:]...)
	return append(out, rest...)
}

// Create answers the options of a registration's begin with the JSON a
// browser sends to its finish.
func (a *Authenticator) Create(t testing.TB, optionsJSON []byte) json.RawMessage {
	t.Helper()
	o := readOptions(t, optionsJSON)
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		t.Fatalf("user handle: %v", err)
	}
	a.UserHandle = handle
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1,
		-2: a.key.PublicKey.X.FillBytes(make([]byte, 32)), -3: a.key.PublicKey.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.CredentialID)))
	attested = append(attested, a.CredentialID...)
	attested = append(attested, cose...)
	object, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(0x40, attested)})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(object),
			"transports":        []string{"internal"},
		},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

// Get answers the options of a log-in's begin with the JSON a browser
// sends to its finish, counting one more use.
func (a *Authenticator) Get(t testing.TB, optionsJSON []byte) json.RawMessage {
	t.Helper()
	o := readOptions(t, optionsJSON)
	a.Counter++
	data := a.authData(0, nil)
	client := a.clientData("webauthn.get", o.PublicKey.Challenge)
	sum := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, data...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(client),
			"authenticatorData": b64.EncodeToString(data),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(a.UserHandle),
		},
		"clientExtensionResults": map[string]any{},
	})
	return out
}
