package sampler

// Noter is implemented by sources with something to say in the header after
// a sample (rows they could not read, a fallback taken). The poller asks
// after each sample and adds the lines to Batch.Notes.
type Noter interface {
	Notes() []string
}
