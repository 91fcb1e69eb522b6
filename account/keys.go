package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// sealedPrefix starts every value sealed by a Keyring: "nk1:<key id>:<data>".
const sealedPrefix = "nk1:"

// ErrUnknownKey means a sealed value names a key the keyring does not hold.
var ErrUnknownKey = errors.New("sealed with a key this server does not have")

// serverKey is one 256-bit key and its short public id.
type serverKey struct {
	id  string
	key []byte
}

// Keyring holds the server's secret keys, which encrypt secrets at rest
// (TOTP secrets) and derive signing keys (offline templates). The first key
// seals; every key opens, so that values sealed before a rotation stay
// readable until they are sealed again. A keyring read from a key file
// reads the file again when it meets a key it does not know, so that a
// server keeps working after `naptracker keys rotate` without a restart.
type Keyring struct {
	mu   sync.RWMutex
	keys []serverKey
	file string // the key file, or "" when the keys came from NAPTRACKER_SECRET_KEY
}

// NewKey returns a new random key, base64-encoded, for a key file or for
// NAPTRACKER_SECRET_KEY.
func NewKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}

// ParseKeys reads keys separated by commas, spaces or new lines, each 32
// bytes in base64 (standard or URL alphabet) or 64 hex digits; lines that
// start with # are comments. The first key is the current one.
func ParseKeys(s string) (*Keyring, error) {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	k := &Keyring{}
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.Join(lines, " "), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
		raw, err := decodeKey(f)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", len(k.keys)+1, err)
		}
		sk := serverKey{id: keyID(raw), key: raw}
		if !seen[sk.id] {
			seen[sk.id] = true
			k.keys = append(k.keys, sk)
		}
	}
	if len(k.keys) == 0 {
		return nil, errors.New("no key given")
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString, hex.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("a key must be 32 random bytes in base64 (44 characters) or hex (64 digits); make one with `openssl rand -base64 32`")
}

// keyID names a key without revealing it: 8 hex digits of a hash.
func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("naptracker key id\x00"), key...))
	return hex.EncodeToString(sum[:4])
}

// KeyFileName is the key file NAP Tracker creates in the data directory
// when NAPTRACKER_SECRET_KEY is not set.
const KeyFileName = "secret.key"

// LoadKeyring returns the keys of NAPTRACKER_SECRET_KEY (env) when it is
// set, else those of the key file at path, which is created with a new key
// (readable by its owner only) when it does not exist yet. created reports
// that it was.
func LoadKeyring(env, path string) (k *Keyring, created bool, err error) {
	if strings.TrimSpace(env) != "" {
		k, err := ParseKeys(env)
		if err != nil {
			return nil, false, fmt.Errorf("NAPTRACKER_SECRET_KEY: %w", err)
		}
		return k, false, nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if created, err = createKeyFile(path); err != nil {
			return nil, false, err
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read the key file: %w", err)
	}
	k, err = ParseKeys(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	k.file = path
	return k, created, nil
}

// createKeyFile writes a key file with one new key, readable by its owner
// only: written aside, then linked into place, so that an instance starting
// at the same moment never reads it half written. It reports false when
// another instance made the file meanwhile.
func createKeyFile(path string) (bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".secret.key.*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(keyFileHeader + NewKey() + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	return true, nil
}

const keyFileHeader = `# NAP Tracker's secret keys (base64, one a line; the first one encrypts).
# They encrypt the two-step sign-in secrets in the database: back this file
# up with the database, but keep the copies apart. Without it, every user
# with two-step sign-in must set it up again.
`

// File is the key file, or "" when the keys come from NAPTRACKER_SECRET_KEY.
func (k *Keyring) File() string { return k.file }

// CurrentID is the id of the key that seals.
func (k *Keyring) CurrentID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[0].id
}

// IDs lists the ids of every key, the current one first.
func (k *Keyring) IDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ids := make([]string, len(k.keys))
	for i, sk := range k.keys {
		ids[i] = sk.id
	}
	return ids
}

// IsSealed reports whether a stored value was sealed by a keyring.
func IsSealed(s string) bool { return strings.HasPrefix(s, sealedPrefix) }

// SealedWith returns the id of the key that sealed s ("" when s is not sealed).
func SealedWith(s string) string {
	if !IsSealed(s) {
		return ""
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(s, sealedPrefix), ":")
	return id
}

// Seal encrypts plaintext with AES-256-GCM under the current key. context
// is authenticated but not stored (the table, column and row it belongs
// to), so that a sealed value copied to another row does not open.
func (k *Keyring) Seal(context string, plaintext []byte) (string, error) {
	k.mu.RLock()
	cur := k.keys[0]
	k.mu.RUnlock()
	gcm, err := newGCM(cur.key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := gcm.Seal(nonce, nonce, plaintext, []byte(context))
	return sealedPrefix + cur.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value sealed under context by any key of the keyring.
func (k *Keyring) Open(context, sealed string) ([]byte, error) {
	id := SealedWith(sealed)
	if id == "" {
		return nil, errors.New("not a sealed value")
	}
	sk, ok := k.key(id)
	if !ok && k.file != "" {
		if err := k.reload(); err != nil {
			return nil, err
		}
		sk, ok = k.key(id)
	}
	if !ok {
		return nil, fmt.Errorf("key %s: %w", id, ErrUnknownKey)
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix+id+":"))
	if err != nil {
		return nil, fmt.Errorf("sealed value: %w", err)
	}
	gcm, err := newGCM(sk.key)
	if err != nil {
		return nil, err
	}
	if len(data) < gcm.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	plain, err := gcm.Open(nil, data[:gcm.NonceSize()], data[gcm.NonceSize():], []byte(context))
	if err != nil {
		return nil, fmt.Errorf("sealed value does not open (altered, or not for %s)", context)
	}
	return plain, nil
}

// Derive returns a 256-bit key for one purpose ("offline-template-signature",
// say) derived from the current key, so that other features need no key of
// their own and follow rotations; DeriveAll gives the same for every key,
// to check what was signed before a rotation.
func (k *Keyring) Derive(purpose string) []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return derive(k.keys[0].key, purpose)
}

// DeriveAll returns the purpose's key derived from every key, current first.
func (k *Keyring) DeriveAll(purpose string) [][]byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([][]byte, len(k.keys))
	for i, sk := range k.keys {
		out[i] = derive(sk.key, purpose)
	}
	return out
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("naptracker derive\x00" + purpose))
	return m.Sum(nil)
}

func (k *Keyring) key(id string) (serverKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, sk := range k.keys {
		if sk.id == id {
			return sk, true
		}
	}
	return serverKey{}, false
}

// reload reads the key file again (after a rotation by another process).
func (k *Keyring) reload() error {
	b, err := os.ReadFile(k.file)
	if err != nil {
		return fmt.Errorf("read the key file: %w", err)
	}
	fresh, err := ParseKeys(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", k.file, err)
	}
	k.mu.Lock()
	k.keys = fresh.keys
	k.mu.Unlock()
	return nil
}

// RotateKeyFile puts a new key first in the key file, keeping the others
// after it (they still open what they sealed), and makes the keyring use
// it. The file is replaced atomically, readable by its owner only.
func (k *Keyring) RotateKeyFile() (string, error) {
	if k.file == "" {
		return "", errors.New("the keys come from NAPTRACKER_SECRET_KEY: put a new key first in it (NEW,OLD) instead")
	}
	if err := k.reload(); err != nil {
		return "", err
	}
	fresh := NewKey()
	var sb strings.Builder
	sb.WriteString(keyFileHeader)
	sb.WriteString(fresh + "\n")
	k.mu.RLock()
	for _, sk := range k.keys {
		sb.WriteString("# retired, still opens what it sealed:\n")
		sb.WriteString(base64.StdEncoding.EncodeToString(sk.key) + "\n")
	}
	k.mu.RUnlock()
	tmp := k.file + ".new"
	if err := os.WriteFile(tmp, []byte(sb.String()), 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, k.file); err != nil {
		return "", err
	}
	if err := k.reload(); err != nil {
		return "", err
	}
	return k.CurrentID(), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
