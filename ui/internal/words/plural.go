// Package words holds the small wording rules the screens share.
package words

// Plural is word for a count of n: "1 socket", "2 sockets", "0 sockets".
func Plural[N ~int | ~uint64](n N, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
