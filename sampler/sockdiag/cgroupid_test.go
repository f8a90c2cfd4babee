package sockdiag

import "testing"

// attrU64 finds the cgroup id among other attributes and refuses short or
// malformed ones instead of reading past them.
func TestAttrU64(t *testing.T) {
	msg := make([]byte, diagMsgLen)
	attr := func(typ uint16, val []byte) []byte {
		a := make([]byte, align4(nlaHdrLen+len(val)))
		order.PutUint16(a[0:2], uint16(nlaHdrLen+len(val)))
		order.PutUint16(a[2:4], typ)
		copy(a[nlaHdrLen:], val)
		return a
	}
	id := make([]byte, 8)
	order.PutUint64(id, 0x1122334455667788)
	full := append(append(append([]byte{}, msg...), attr(8, []byte{3})...), attr(inetDiagCgroupID, id)...)
	if got := attrU64(full, inetDiagCgroupID); got != 0x1122334455667788 {
		t.Fatalf("attrU64 = %#x", got)
	}
	if got := attrU64(msg, inetDiagCgroupID); got != 0 {
		t.Fatalf("no attributes: %#x", got)
	}
	short := append(append([]byte{}, msg...), attr(inetDiagCgroupID, id[:4])...)
	if got := attrU64(short, inetDiagCgroupID); got != 0 {
		t.Fatalf("a 4-byte attribute read as %#x", got)
	}
	bad := append(append([]byte{}, msg...), 0xff, 0x00, 21, 0) // length past the end
	if got := attrU64(bad, inetDiagCgroupID); got != 0 {
		t.Fatalf("a malformed attribute read as %#x", got)
	}
	if got := attrU64(full[:10], inetDiagCgroupID); got != 0 {
		t.Fatalf("a short message read as %#x", got)
	}
}
