// Versions of the audio libraries, for version reports and bug reports.
import CALSA
import CMPG123

public enum AudioLibraries {
    public static var mpg123Version: String { String(cString: cmpg123_version()) }
    public static var alsaVersion: String { String(cString: snd_asoundlib_version()) }
}
