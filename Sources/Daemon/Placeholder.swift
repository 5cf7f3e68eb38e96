import Hummingbird
import ServiceLifecycle
import Logging
