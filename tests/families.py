"""Shape-key and bone names of each rig family, as its tools export them: the fixtures the preset tests build."""

ARKIT = ("jawOpen", "jawForward", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight",
         "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft",
         "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight", "mouthRollLower", "mouthRollUpper",
         "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft",
         "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight", "browDownLeft", "browDownRight",
         "browInnerUp", "browOuterUpLeft", "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight",
         "noseSneerLeft", "noseSneerRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeWideLeft", "eyeWideRight",
         "tongueOut")
ARKIT_UNDERSCORE = tuple(n.replace("Left", "_L").replace("Right", "_R") for n in ARKIT)
VISEMES = ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U")
READY_PLAYER_ME = (*(f"viseme_{v}" for v in VISEMES), "mouthSmileLeft", "mouthSmileRight", "mouthOpen",
                   "eyeBlinkLeft", "eyeBlinkRight", "browInnerUp")
VRCHAT = tuple(f"vrc.v_{v}" for v in ("sil", "pp", "ff", "th", "dd", "kk", "ch", "ss", "nn", "rr", "aa", "e", "ih",
                                      "oh", "ou")) + ("vrc.blink_left", "vrc.blink_right")
CC4 = ("V_Open", "V_Explosive", "V_Dental_Lip", "V_Tight_O", "V_Tight", "V_Wide", "V_Affricate", "V_Lip_Open",
       "Mouth_Smile_L", "Mouth_Smile_R", "Eye_Blink_L", "Eye_Blink_R", "Brow_Raise_Inner_L", "Brow_Raise_Inner_R")
VROID = tuple(f"Fcl_{n}" for n in ("ALL_Neutral", "ALL_Angry", "ALL_Fun", "ALL_Joy", "BRW_Angry", "BRW_Sorrow",
                                   "EYE_Close", "EYE_Joy", "MTH_Close", "MTH_Up", "MTH_Down", "MTH_Angry",
                                   "MTH_Joy", "MTH_Sorrow", "MTH_Surprised", "MTH_A", "MTH_I", "MTH_U", "MTH_E",
                                   "MTH_O", "HA_Fung1"))
RHUBARB = tuple(f"mouth_{c}" for c in "ABCDEFGHX")
MPFB = ("Rest", "Etc", "MBP", "OO", "O", "R", "FV", "S", "SH", "EE", "AH", "EH", "TH", "L", "G")
RIGIFY_BONES = ("root", "spine.006", "face", "jaw_master", "MCH-jaw_master", "DEF-jaw", "jaw", "lip.T", "lip.B",
                "lips.L", "lips.R", "lip.T.L.001", "lip.B.L.001", "tongue_master", "teeth.T", "teeth.B")

FAMILIES = {
    # preset id: (shape keys, bones)
    "arkit": (ARKIT, ()),
    "visemes15": (READY_PLAYER_ME, ("Head", "Neck")),
    "cc4": (CC4, ("CC_Base_Head", "CC_Base_JawRoot", "CC_Base_Teeth01")),
    "vroid": (VROID, ("J_Bip_C_Head",)),
    "rhubarb": (RHUBARB, ()),
    "mpfb": (MPFB, ("head", "jaw")),
    "rigify": ((), RIGIFY_BONES),
}
