// Versions of the audio libraries, for version reports and bug reports: the versions built against,
// read from the headers, since asking the libraries themselves would load them (they load only to play).
import CALSA
import CMPG123

public enum AudioLibraries {
    public static var mpg123Version: String { String(cString: cmpg123_header_version()) }
    public static var alsaVersion: String { SND_LIB_VERSION_STR }
}
