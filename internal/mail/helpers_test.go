package mail_test

import "mime"

func decodeHeader(s string) (string, error) {
	return new(mime.WordDecoder).DecodeHeader(s)
}
