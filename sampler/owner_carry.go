package sampler

// inheritOwner gives s, sampled with no owner, the owner an earlier view of
// the same socket knew: pid and process, and uid when s lacks it. The owner
// is gone unless a file still holds the socket (it has an inode): then it
// is only unseen now (not readable to this user at the moment).
func inheritOwner(s *Socket, pid int32, process string, uid int32) {
	if s.PID == 0 && pid != 0 {
		s.PID = pid
		if s.Process == "" {
			s.Process = process
		}
		s.OwnerGone = s.Inode == 0
	}
	if s.UID < 0 && uid >= 0 {
		s.UID = uid
	}
}
