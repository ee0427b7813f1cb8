// The io_uring read path (issue 5). Empty until then: `-ioUring` is not offered yet.
import CURing
