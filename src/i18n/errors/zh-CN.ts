/** One message per error code. */
import { translation } from '../translation.js';
import type { errors as english } from './en-US.js';

export const errors = translation<typeof english>()({
  unknown: '我们这边出了点问题。请稍后重试；如果一直出现，请联系管理员并提供参考编号。',
  aborted: '操作在完成前被中止了。',

  prompt_empty: '提示词为空。请描述你想看到的画面，例如“3 张黄昏时的灯塔”。',
  prompt_too_long: '提示词有 {length} 个字符，上限是 {max} 个。请精简后重试。',
  prompt_too_long_with_count:
    '加上图片张数说明后，提示词超出 {max} 字符的上限 {needed} 个字符。请删减 {needed} 个字符，或直接在提示词里写明张数（例如“4 张……”）。',
  count_out_of_range: '你要求生成 {requested} 张图片；请选择 {min} 到 {max} 之间的数量。',
  count_not_number: '“{count}”不是张数。请填写 {min} 到 {max} 之间的整数。',
  stated_count_out_of_range: '提示词要求生成 {stated} 张图片，但每次只能生成 {min} 到 {max} 张。请修改提示词中的张数。',
  count_mismatch: '提示词写的是 {stated} 张，但张数选项是 {requested} 张。请让两者一致，或不填张数选项。',
  ambiguous_count: '提示词中出现了多个张数（{counts}）。请只保留一个，这样才知道要生成几张。',
  aspect_unknown: '该模型不支持“{aspect}”这种宽高比。请从以下选项中选择：{allowed}。',
  seed_invalid: '种子必须是 {min} 到 {max} 之间的整数（你填写的是“{seed}”）。不填则随机生成。',
  quality_unknown: '“{quality}”不是有效的质量设置。请从以下选项中选择：{allowed}。',
  admission_inconsistent:
    '机器人刚才无法记下你的请求（它的记录不一致），所以没有发送，也没有计费。请再试一次；如果一直发生，请告诉管理员。',
  store_not_redis: '机器人的设置有误（它的数据存储），暂时无法接受请求。请告诉管理员。',
  internal_input_invalid: '机器人生成了一个无法发送的请求。这是我们这边的问题，不是你的提示词有误；请联系管理员。',
  option_missing: '指令缺少必填选项「{option}」。请从 Discord 的指令菜单重新执行。',
  option_invalid: '选项「{option}」的格式不是这个指令接受的。请从 Discord 的指令菜单重新执行。',

  runcomfy_auth: 'RunComfy 拒绝了机器人的密钥，因此没有生成任何图片。请联系管理员。',
  runcomfy_insufficient_balance: '机器人的 RunComfy 账户余额不足，因此没有生成任何图片。请联系管理员。',
  runcomfy_not_found: 'RunComfy 已找不到这个请求，可能已过期或被删除。',
  runcomfy_validation: 'RunComfy 没有接受这个请求（请检查：{fields}）。请调整选项后重试。',
  runcomfy_model_unknown: '机器人配置的图片模型在 RunComfy 上不存在。请联系管理员。',
  runcomfy_rate_limited: 'RunComfy 当前请求过多。请等一分钟后重试。',
  runcomfy_server: 'RunComfy 目前出现故障。请过几分钟再试。',
  runcomfy_network: '暂时无法连接 RunComfy。请过几分钟再试。',
  runcomfy_timeout: 'RunComfy 响应超时。请过几分钟再试。',
  runcomfy_unexpected_response: 'RunComfy 返回了机器人无法识别的内容。请稍后重试；如果一直出现，请联系管理员。',
  runcomfy_response_too_large:
    'RunComfy 返回的内容远大于正常大小，所以机器人没有读取。请稍后再试；如果一直发生，请联系管理员。',
  runcomfy_submit_uncertain:
    '你的请求已送达 RunComfy，但没有收到明确的答复（连接中断，或 RunComfy 出错），所以它可能已经在那里开始运行。系统没有再次发送，因此不会重复扣费；但由于 RunComfy 可能已经收费，这次仍计入你的额度。重试之前请先用 /jobs 查看。',

  user_active_limit: '你已有 {active} 个生成任务正在进行（上限为 {limit} 个）。请等其中一个完成或取消一个后再试。',
  // Quotas and access (the bot's own limits)
  quota_user_daily:
    '你今天已用了 {used} 张（每日上限 {limit} 张），这个请求需要 {requested} 张，所以没有开始。你今天还能生成 {left} 张，额度将在 {resets}重置。',
  quota_guild_daily:
    '本服务器今天已用了 {used} 张（每日上限 {limit} 张），这个请求需要 {requested} 张，所以没有开始。服务器今天还剩 {left} 张，额度将在 {resets}重置。',
  quota_guild_monthly:
    '本服务器本月已花费 {used} 美元（每月预算 {limit} 美元），这个请求约需 {estimate} 美元，所以没有开始。预算将在 {resets}重置。',
  guild_active_limit: '本服务器已有 {active} 个生成任务正在进行（上限 {limit} 个）。请等其中一个完成后再试。',
  channel_not_allowed: '这个频道不能生成图片。请改用以下频道：{channels}。',
  role_not_allowed: '在这里只有拥有以下任一身份组的成员才能生成图片：{roles}。',
  dm_not_allowed: '你和机器人共同所在的服务器都不允许在私信中生成图片。请改在服务器里使用 /imagine。',
  settings_forbidden: '只有拥有“管理服务器”权限的成员才能更改这些设置。',
  settings_guild_only: '设置属于服务器：请在服务器中使用 /settings。',
  settings_value_invalid: '这个数值不适用：请输入 {min} 到 {max} 之间的数字。',
  submit_failed: '无法把你的请求发送到 RunComfy。请稍后重试。',
  job_not_found: '找不到这个生成任务，它可能时间太久已被清理。',
  job_cancelled: '本次生成已取消。',
  job_timed_out: '本次生成未能在 {minutes} 分钟内完成，因此不再等待。',
  queue_timed_out: '机器人忙于其他请求已达 {minutes} 分钟，本次请求一直未能开始，也没有产生任何费用。请再试一次。',
  generation_failed: '模型无法生成这组图片。请换一种方式描述，或稍后重试。',
  job_illegal_transition: '由于内部错误，机器人无法继续跟踪本次生成。请联系管理员。',

  output_empty: '模型已完成，但没有返回可用的图片。请重试，或换一个提示词。',
  output_malformed: '模型返回的结果格式无法识别。请稍后重试；如果一直出现，请联系管理员。',
  images_expired: '这些图片已无法获取：在下载之前就已过期。',
  images_download_failed: '图片已生成，但无法下载。请稍后重试。',
  image_gone: '有一张图片已无法下载。',
  image_too_large: '有一张图片太大，无法下载。',
  image_not_an_image: 'RunComfy 返回的文件不是图片。',
  image_download_transient: '有一张图片暂时无法下载。请重试。',
  image_too_many_pixels: '有一张图片的像素远超模型会生成的大小，所以无法使用。',
  image_host_refused: '有一张图片所在的主机指向私有网络，所以没有下载。',
  delivery_failed: '图片已生成，但机器人无法在这里发布。请确认机器人在此频道有发送消息和上传文件的权限。',
  delivery_refused:
    '图片已生成，但 Discord 拒绝了载有图片的消息（错误 {code}）。这是机器人的问题，不是你的请求有误：请把下方的参考编号告诉管理员。',

  card_unknown: '机器人找不到本次生成的状态消息，因此无法更新它。',
  interaction_expired: '这个交互已过期（Discord 只保留 15 分钟）。请重新执行命令。',

  store_corrupt: '无法读取机器人保存的数据。请联系管理员。',
  store_unreachable: '机器人暂时无法连接到数据存储。请稍后重试；如果一直出现，请联系管理员。',
  store_contention: '机器人现在非常繁忙。请稍后重试。',
  store_write_failed: '机器人暂时无法保存数据。请稍后重试。',
  store_url_invalid: '机器人的存储配置（STORE_URL）无效。请联系管理员。',
  store_in_use: '机器人的存储已被另一个机器人进程使用（SQLite 只能供一个进程使用）。请联系管理员。',
  lease_lost: '这个生成已由另一个机器人进程接手，会在那里继续进行。',

  // 画廊（在唯一一条失败通知中给管理员看）
  gallery_permissions_missing: '无法把这组图片发布到画廊 {channel}：我在那里缺少这些权限：{permissions}。',
  gallery_channel_missing: '画廊频道 {channel} 已不存在，因此图片不会再发布到画廊。',
  gallery_tag_required:
    '画廊 {channel} 要求每篇帖子都要有标签，但我无法添加。请在那里给我“管理频道”权限，或添加“16:9”之类的宽高比标签。',
  gallery_post_refused: 'Discord 拒绝了在 {channel} 的画廊帖子，请检查该频道的设置。',

  // 参考图片（发送前检查）
  reference_too_many: '你提供了 {given} 张参考图片；一次最多只能使用 {max} 张。',
  references_count_over_limit:
    '使用 {references} 张参考图片时，最多只能要求 {maxCount} 张图片（连同参考图片共 {max} 张）；你要求了 {count} 张。请减少数量，或少用几张参考图片。',
  reference_not_public_url:
    '参考图片“{reference}”不在公开的 HTTPS 网址上，而 RunComfy 需要自行下载参考图片。请上传图片后再试一次。',
  reference_not_an_image: '参考文件“{reference}”不是 PNG、JPEG 或 WebP 图片（它是 {type}）。请附上这些格式之一的图片。',
  reference_too_large: '参考图片“{reference}”有 {size} MB，上限是 {max} MB。请改用较小的文件。',
  reference_not_found: '参考图片“{reference}”已经不在了（链接返回“找不到”）。请重新附上。',
  reference_unreachable: '无法获取参考图片“{reference}”（{reason}）。请稍后再试，或重新附上。',
  model_unknown: '这组图片使用的图像模型（{model}）机器人不认识。请告诉管理员。',
});
